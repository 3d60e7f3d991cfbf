<?php
/**
 * Writes the PHP serialization corpus used by segmentflow-core/tests/php_corpus.rs.
 *
 * Usage: php scripts/gen-php-fixtures.php fixtures/php-serialized
 *
 * For every case NAME it writes:
 *   NAME.ser   the exact bytes serialize() produced (or, for the few "raw"
 *              cases, bytes older PHP versions wrote, checked to unserialize);
 *   NAME.json  PHP's own description of the value ("shape"), built by walking
 *              the value here in PHP, so the Rust decoder can be compared with
 *              what PHP itself holds.
 *
 * Shape nodes (one JSON object per value):
 *   {"t":"null"} | {"t":"bool","v":true} | {"t":"int","v":123}
 *   {"t":"float","text":"<var_export>","bits":"<IEEE-754 big-endian hex>"}
 *   {"t":"string","hex":"<bytes as hex>"}
 *   {"t":"array","entries":[[KEY,NODE],…]}   KEY = int node or string node
 *   {"t":"object","class":"<name>","props":[[KEY,NODE],…]}  names mangled
 *                                            as serialize() writes them
 *   {"t":"custom","class":"<name>","payload_hex":"…"}   (Serializable, C:)
 *   {"t":"enum","class":"<Enum>","case":"<Case>"}
 *   {"t":"objref","slot":N}   r:N — the same object as value slot N
 *   {"t":"ref","slot":N}      R:N — a PHP reference to value slot N
 * Slots are numbered the way serialize() numbers them: pre-order from 1,
 * every value takes one, an R: takes none. The walker decides "same object"
 * with spl_object_id() and "same reference" with ReflectionReference, i.e.
 * from PHP's own identity, not from the serialized text.
 */

error_reporting(E_ALL & ~E_DEPRECATED);
ini_set('serialize_precision', '-1');

// ---- classes used by the cases -------------------------------------------

class Plain { public $pub = 1; protected $prot = 'two'; private $priv = 3.5; }
class Base { private $secret = 'base'; protected $shared = 'p'; public $x = null; }
class Child extends Base { private $secret = 'child'; public $name = 'c'; }
class WithSerialize {
    public $a = 1;
    public function __serialize(): array { return ['x' => $this->a, 5 => 'five', 'list' => [1, 2]]; }
    public function __unserialize(array $d): void { $this->a = $d['x']; }
}
class Legacy implements Serializable {
    public $data = 'abc';
    public function serialize() { return 'legacy:' . $this->data . '}{";'; }
    public function unserialize($s) { $this->data = $s; }
}
class Typed { public int $set = 1; public ?string $unset; public array $list = []; }
class WC_Meta_Data {
    protected $current_data; protected $data;
    public function __construct($id, $key, $value) {
        $this->current_data = ['id' => $id, 'key' => $key, 'value' => $value];
        $this->data = $this->current_data;
    }
}
class Node { public $name; public $next = null; public $parent = null; public function __construct($n) { $this->name = $n; } }
enum Suit: string { case Hearts = 'H'; case Spades = 'S'; }
enum Status { case Active; case Archived; }

// ---- the shape walker ------------------------------------------------------

final class Shaper {
    private int $n = 0;
    private array $seen = [];

    public function value(mixed $v, ?string $refId = null): array {
        $this->n++;
        if ($refId !== null) {
            $key = is_object($v) ? 'o' . spl_object_id($v) : 'r' . $refId;
            if (isset($this->seen[$key])) {
                $this->n--; // R: takes no slot
                return ['t' => 'ref', 'slot' => $this->seen[$key]];
            }
            $this->seen[$key] = $this->n;
        } elseif (is_object($v)) {
            $key = 'o' . spl_object_id($v);
            if (isset($this->seen[$key])) {
                return ['t' => 'objref', 'slot' => $this->seen[$key]];
            }
            $this->seen[$key] = $this->n;
        }
        return match (true) {
            $v === null => ['t' => 'null'],
            is_bool($v) => ['t' => 'bool', 'v' => $v],
            is_int($v) => ['t' => 'int', 'v' => $v],
            is_float($v) => ['t' => 'float', 'text' => var_export($v, true), 'bits' => bin2hex(pack('E', $v))],
            is_string($v) => ['t' => 'string', 'hex' => bin2hex($v)],
            is_array($v) => ['t' => 'array', 'entries' => $this->entries($v, false)],
            $v instanceof UnitEnum => ['t' => 'enum', 'class' => get_class($v), 'case' => $v->name],
            method_exists($v, '__serialize') => ['t' => 'object', 'class' => get_class($v), 'props' => $this->entries($v->__serialize(), false)],
            $v instanceof Serializable => ['t' => 'custom', 'class' => get_class($v), 'payload_hex' => bin2hex($v->serialize())],
            default => ['t' => 'object', 'class' => get_class($v), 'props' => $this->entries((array) $v, true)],
        };
    }

    private function entries(array $a, bool $props): array {
        $out = [];
        foreach (array_keys($a) as $k) {
            $ref = ReflectionReference::fromArrayElement($a, $k);
            $key = (is_int($k) && !$props) ? ['t' => 'int', 'v' => $k] : ['t' => 'string', 'hex' => bin2hex((string) $k)];
            $out[] = [$key, $this->value($a[$k], $ref?->getId())];
        }
        return $out;
    }
}

// ---- the cases ------------------------------------------------------------

$cases = [];
$raw = []; // name => serialized bytes PHP 8 would not write but reads

$cases['null'] = null;
$cases['bool_true'] = true;
$cases['bool_false'] = false;
$cases['int_zero'] = 0;
$cases['int_negative'] = -42;
$cases['int_max'] = PHP_INT_MAX;
$cases['int_min'] = PHP_INT_MIN;
$cases['float_simple'] = 1.5;
$cases['float_integral'] = 3.0;
$cases['float_point_one_plus_point_two'] = 0.1 + 0.2;
$cases['float_negative_zero'] = -0.0;
$cases['float_inf'] = INF;
$cases['float_neg_inf'] = -INF;
$cases['float_nan'] = NAN;
$cases['float_1e25'] = 1e25;
$cases['float_1e_minus_5'] = 1e-5;
$cases['float_1e16'] = 1e16;
$cases['float_1e17'] = 1e17;
$cases['float_max'] = PHP_FLOAT_MAX;
$cases['float_min_positive'] = PHP_FLOAT_MIN;
$cases['float_smallest_subnormal'] = 5e-324;
$cases['float_price'] = 19.99;
$cases['string_empty'] = '';
$cases['string_ascii'] = 'hello world';
$cases['string_unicode'] = "héllo wörld — 日本語 🎉";
$cases['string_binary'] = "\x00\x01\xff\xfe binary \x80";
$cases['string_quote_semicolon'] = 'a"b;c";}s:1:"x";';
$cases['string_newlines'] = "line1\nline2\r\n\ttabbed";
$cases['string_looks_serialized'] = 'a:1:{i:0;s:1:"x";}';
$cases['array_empty'] = [];
$cases['array_list'] = [1, 2, 3];
$cases['array_assoc'] = ['a' => 1, 'b' => 'two', 'c' => null];
$cases['array_negative_keys'] = [-5 => 'a', -1 => 'b', 0 => 'c'];
$cases['array_out_of_order_keys'] = [3 => 'c', 1 => 'a', 2 => 'b'];
$cases['array_holey'] = [0 => 'a', 2 => 'c', 10 => 'k'];
$cases['array_mixed_keys'] = [0 => 'zero', 'name' => 'n', 1 => 'one', '-3' => 'neg'];
$cases['array_numeric_string_keys'] = ['05' => 'padded', '1.5' => 'decimal', ' 5' => 'space', '5' => 'int', '-0' => 'negzero'];
$cases['array_int_key_extremes'] = [PHP_INT_MAX => 'max', PHP_INT_MIN => 'min'];
$cases['array_binary_key'] = ["\x00\xff" => 1, 'é' => 2];
$cases['array_nested'] = ['a' => ['b' => ['c' => [1, [2, [3]]]]], 'empty' => [[]]];
$deep = 'bottom';
for ($i = 0; $i < 100; $i++) { $deep = [$deep]; }
$cases['array_deep_100'] = $deep;
$cases['array_all_scalars'] = [null, true, false, 0, -1, 1.5, 'x', ''];
$cases['object_stdclass'] = (object) ['a' => 1, 'b' => [1, 2]];
$cases['object_stdclass_int_keys'] = (object) ['zero', 'one', 5 => 'five'];
$cases['object_stdclass_empty'] = new stdClass();
$cases['object_visibility'] = new Plain();
$cases['object_private_shadowing'] = new Child();
$cases['object_typed_uninitialized'] = new Typed();
$cases['object_dunder_serialize'] = new WithSerialize();
$cases['object_serializable'] = new Legacy();
$cases['object_nested'] = (object) ['inner' => (object) ['deeper' => new Plain()], 'list' => [new stdClass()]];
$cases['enum_backed'] = Suit::Hearts;
$cases['enum_pure'] = Status::Active;
$cases['enum_in_array_repeated'] = [Suit::Hearts, Suit::Spades, Suit::Hearts, Status::Archived];

$o = new stdClass(); $o->id = 1; $p = new stdClass(); $p->id = 2;
$cases['refs_object_handles'] = [$o, $o, $p, $p];
$x = 1; $y = 2;
$cases['refs_php_references'] = [&$x, &$x, &$y, &$y, 5];
unset($x, $y);
$shared = ['k' => 'v'];
$cases['refs_reference_to_array'] = ['first' => &$shared, 'second' => &$shared, 'copy' => $shared];
unset($shared);
$a = new Node('a'); $b = new Node('b'); $a->next = $b; $b->parent = $a;
$cases['refs_cyclic_objects'] = $a;
$self = new stdClass(); $self->me = $self; $self->list = [$self];
$cases['refs_self_object'] = $self;
$q = new stdClass(); $q->v = 1; $z = 'shared';
$cases['refs_mixed'] = ['o' => $q, 'z1' => &$z, 'nested' => ['o' => $q, 'z2' => &$z], 'o2' => $q];
unset($z);

$cases['wc_product_attributes'] = [
    'pa_color' => ['name' => 'pa_color', 'value' => '', 'position' => 0, 'is_visible' => 1, 'is_variation' => 1, 'is_taxonomy' => 1],
    'size' => ['name' => 'Size', 'value' => 'Small | Medium | Large', 'position' => 1, 'is_visible' => 1, 'is_variation' => 0, 'is_taxonomy' => 0],
];
$cases['wp_capabilities'] = ['customer' => true];
$cases['wp_capabilities_admin'] = ['administrator' => true, 'shop_manager' => true];
$cases['wp_attachment_metadata'] = [
    'width' => 1200, 'height' => 800, 'file' => '2024/05/hoodie-blue.jpg', 'filesize' => 183492,
    'sizes' => [
        'thumbnail' => ['file' => 'hoodie-blue-150x150.jpg', 'width' => 150, 'height' => 150, 'mime-type' => 'image/jpeg', 'filesize' => 6231],
        'woocommerce_single' => ['file' => 'hoodie-blue-600x400.jpg', 'width' => 600, 'height' => 400, 'mime-type' => 'image/jpeg', 'filesize' => 40112],
    ],
    'image_meta' => ['aperture' => '0', 'credit' => '', 'camera' => '', 'caption' => '', 'created_timestamp' => '0', 'copyright' => '', 'focal_length' => '0', 'iso' => '0', 'shutter_speed' => '0', 'title' => '', 'orientation' => '0', 'keywords' => []],
];
$cases['wc_meta_data_objects'] = [new WC_Meta_Data(17, '_segmentflow_utm_source', 'newsletter'), new WC_Meta_Data(18, '_wc_order_attribution', ['source' => 'google', 'ts' => 1.5])];
$cases['wc_line_tax_data'] = ['total' => [1 => '1.6', 3 => '0.4'], 'subtotal' => [1 => '1.6', 3 => '0.4']];
$cases['wc_session_cart'] = ['cart' => serialize(['abc123' => ['product_id' => 42, 'quantity' => 2, 'line_total' => 39.98]]), 'customer' => serialize(['id' => '7', 'email' => 'ann@example.com'])];
$cases['wp_session_tokens'] = [hash('sha256', 'tok') => ['expiration' => 1735689600, 'ip' => '203.0.113.5', 'ua' => 'Mozilla/5.0 (X11; Linux x86_64)', 'login' => 1734480000]];
$cases['double_serialized_string'] = serialize(['customer' => true]);
$cases['woocommerce_permalinks'] = ['product_base' => '/product/', 'category_base' => 'product-category', 'tag_base' => 'product-tag', 'attribute_base' => '', 'use_verbose_page_rules' => false];
$cases['active_plugins'] = ['segmentflow-connect/segmentflow-connect.php', 'woocommerce/woocommerce.php'];
$cases['float_in_array_mix'] = ['price' => 19.99, 'tax' => 0.1 + 0.7, 'big' => 1.5e300, 'tiny' => 1.25e-7, 'neg' => -0.0, 'int' => 100.0];

// Floats as PHP < 7.1 (serialize_precision = 17) wrote them, and other
// texts PHP reads: must decode and re-encode byte for byte.
$raw['raw_float_17_digits'] = 'a:3:{i:0;d:0.10000000000000001;i:1;d:0.29999999999999999;i:2;d:19.989999999999998;}';
$raw['raw_float_lowercase_exponent'] = 'd:1e+25;';
$raw['raw_float_trailing_dot'] = 'a:2:{i:0;d:1.;i:1;d:.5;}';

// ---- write -------------------------------------------------------------------

$dir = $argv[1] ?? 'fixtures/php-serialized';
if (!is_dir($dir) && !mkdir($dir, 0777, true)) { fwrite(STDERR, "cannot create $dir\n"); exit(1); }
foreach (glob("$dir/*.{ser,json}", GLOB_BRACE) as $old) { unlink($old); }

$write = function (string $name, string $ser, mixed $value) use ($dir) {
    $shape = (new Shaper())->value($value);
    file_put_contents("$dir/$name.ser", $ser);
    // Pretty-printed for review, except where indentation would dwarf the data.
    $pretty = str_starts_with($name, 'array_deep') ? 0 : JSON_PRETTY_PRINT;
    file_put_contents("$dir/$name.json", json_encode($shape, $pretty | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR) . "\n");
};
foreach ($cases as $name => $value) {
    $write($name, serialize($value), $value);
}
foreach ($raw as $name => $ser) {
    $value = unserialize($ser);
    if ($value === false) { fwrite(STDERR, "raw case $name does not unserialize\n"); exit(1); }
    $write($name, $ser, $value);
}
// ---- WordPress oracle -----------------------------------------------------------
//
// With WordPress core installed (Debian's `wordpress` package, or WP_CORE=path),
// record what WordPress's own is_serialized(), maybe_unserialize() and
// maybe_serialize() + wpdb's %s conversion give, so php/wordpress.rs is
// tested against WordPress itself.

$wpCore = getenv('WP_CORE') ?: '/usr/share/wordpress';
if (is_file("$wpCore/wp-includes/functions.php")) {
    define('ABSPATH', rtrim($wpCore, '/') . '/');
    define('WPINC', 'wp-includes');
    require ABSPATH . WPINC . '/functions.php';
    require ABSPATH . WPINC . '/version.php';

    $inputs = [
        '', 'N;', ' N; ', "N;\n", 'N', 'b:1;', 'b:0;', 'b:1; ', 'b:1;x', 'b:2;', 'i:5;', 'i:-5;', 'i:+5;', 'i:5;x', 'i:5',
        'i:;', 'd:1.5;', 'd:1.5E+25;', 'd:-0;', 'd:INF;', 'd:NAN;', 'd:1e5;', 's:1:"a";', 's:1:"a"', 's:1:a;', 's:3:"abc";',
        's:2:"abc";', ' s:1:"a"; ', "\t\ns:1:\"a\";\r\n\0\x0B", 's:0:"";', 's::"";', 's:1:"";}', 'a:0:{}', 'a:0:{', 'a:1:{i:0;i:1;}',
        'a:1:{i:0;i:1;}}', 'a::{}', 'a:x:{}', 'O:8:"stdClass":0:{}', 'O:1:"', 'E:11:"Suit:Hearts";', 'E:1:', 'C:3:"Foo":0:{}',
        'r:1;', 'R:1;', 'S:1:"a";', 'x:1;', 'abc', 'a;b}', ';abc}', 'ab;c', 'abc;', 'a:b;', 'i:1}', 'a:}', 'a:1:}',
        'b:1}', 'i:12345678901234567890;', 'a:1:{s:1:"a";s:1:"b"', 's:10:"short";', 'a:1:{i:0;R:2;}', 'hello world', '1',
        '{"json":true}', 'a:1:{i:0;s:1:"x";} trailing', "s:5:\"caf\xc3\xa9\";",
    ];
    foreach (glob("$dir/*.ser") as $f) { $inputs[] = file_get_contents($f); }
    mt_srand(20240501);
    $alphabet = 'sabOEidN:;}{"0123456789 .-E+';
    for ($i = 0; $i < 400; $i++) {
        $len = mt_rand(0, 9);
        // Half start like a serialized token, so the later rules get exercised.
        $str = $i % 2 ? ['s:', 'a:', 'i:', 'b:', 'd:', 'O:', 'E:', 'N;', 'C:'][mt_rand(0, 8)] : '';
        for ($j = 0; $j < $len; $j++) { $str .= $alphabet[mt_rand(0, strlen($alphabet) - 1)]; }
        $inputs[] = $str;
    }
    $isSerialized = [];
    $maybeUnserialize = [];
    foreach (array_values(array_unique($inputs)) as $in) {
        $isSerialized[] = ['hex' => bin2hex($in), 'strict' => is_serialized($in), 'loose' => is_serialized($in, false)];
        $out = maybe_unserialize($in);
        if (!is_serialized($in)) {
            $result = 'plain';
        } elseif ($out === false && trim($in) !== 'b:0;') {
            $result = 'broken';
        } else {
            $result = ['serialized_hex' => bin2hex(serialize($out))];
        }
        $maybeUnserialize[] = ['hex' => bin2hex($in), 'result' => $result];
    }

    $values = [
        true, false, null, 0, -5, PHP_INT_MAX, PHP_INT_MIN, 0.1 + 0.2, 1.5, 100.0, -0.0, 1 / 3, 2 / 3, 1e13, 1e14, 1e15,
        123456789012345.0, 99999999999999.99, 0.0001, 1e-5, 0.00012345678901234567, 1.5e300, -2.5e-10, INF, -INF, NAN,
        PHP_FLOAT_MAX, PHP_FLOAT_EPSILON, 19.99, 1e22, 5e-324,
        '', 'abc', '1', 'a:0:{}', ' a:0:{} ', 'i:5;', 'b:1;', 'N;', 's:1:"x";', 'd:INF;', 'x:1;', 'a;b', 'abc;def', 'E:3:"A:B";',
        [], ['a' => 1], [1, 2.5, 'x'], (object) ['k' => 'v'], Suit::Hearts, new Legacy(),
    ];
    $options = [];
    foreach ($values as $v) {
        $stored = maybe_serialize($v);
        // wpdb writes a scalar through its %s placeholder (NULL stays SQL NULL).
        $options[] = ['value_hex' => bin2hex(serialize($v)), 'stored_hex' => $stored === null ? null : bin2hex(sprintf('%s', $stored))];
    }
    if (!is_dir("$dir/wordpress")) { mkdir("$dir/wordpress"); }
    file_put_contents("$dir/wordpress/oracle.json", json_encode([
        'generated_by' => 'scripts/gen-php-fixtures.php',
        'php' => PHP_VERSION,
        'wordpress' => $wp_version,
        'is_serialized' => $isSerialized,
        'maybe_unserialize' => $maybeUnserialize,
        'option_value' => $options,
    ], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR) . "\n");
    fwrite(STDERR, sprintf("wrote the WordPress %s oracle (%d inputs, %d option values)\n", $wp_version, count($isSerialized), count($options)));
} else {
    fwrite(STDERR, "WordPress core not found at $wpCore: WordPress oracle not regenerated\n");
}

fwrite(STDERR, sprintf("wrote %d cases to %s (PHP %s)\n", count($cases) + count($raw), $dir, PHP_VERSION));
