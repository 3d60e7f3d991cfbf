<?php
/**
 * PHP's side of the PHP-decode benchmark (bench/php-decode.sh).
 *
 *   php bench/php_unserialize.php gen  <file> [megabytes=55]
 *       writes one serialize()d array of WooCommerce-like records (orders with
 *       billing/shipping, line items with tax data and meta, product
 *       attributes, attachment metadata, capabilities) of at least that size.
 *   php bench/php_unserialize.php time <file> [runs=5]
 *       unserialize()s the file `runs` times and prints one JSON line:
 *       {"php":"8.2.x","bytes":N,"runs":R,"best_seconds":S,"median_seconds":M,
 *        "best_cpu_seconds":C,"first_seconds":F}  (F: the first, cold-heap run)
 *       (wall clock, and on-CPU time from /proc/thread-self/schedstat, which a
 *       busy shared machine disturbs less; freeing the value is not timed).
 */

ini_set('memory_limit', '-1');
ini_set('serialize_precision', '-1');

function record(int $i): array {
    mt_srand($i);
    $first = ['Ann', 'Bob', 'Chloé', 'Dmitri', 'Eve', 'Fatima', 'Gao', 'Hiro'][$i % 8];
    $last = ['Smith', 'Müller', 'Okafor', 'García', 'Tanaka', 'Novák'][$i % 6];
    $items = [];
    for ($j = 0, $n = 1 + $i % 4; $j < $n; $j++) {
        $price = round(mt_rand(199, 19999) / 100, 2);
        $qty = 1 + mt_rand(0, 3);
        $items[] = [
            'product_id' => 1000 + mt_rand(0, 5000), 'variation_id' => $j % 2 ? 2000 + $j : 0,
            'name' => "Hoodie \"Classic\" #$j – size " . ['S', 'M', 'L', 'XL'][$j % 4],
            'quantity' => $qty, 'subtotal' => number_format($price * $qty, 2, '.', ''), 'total' => number_format($price * $qty * 0.9, 2, '.', ''),
            'price' => $price, 'tax_class' => '', 'sku' => sprintf('HD-%05d-%s', $i, ['S', 'M', 'L', 'XL'][$j % 4]),
            '_line_tax_data' => ['total' => [1 => number_format($price * 0.08, 4, '.', '')], 'subtotal' => [1 => number_format($price * 0.08, 4, '.', '')]],
            'meta' => [['key' => 'pa_size', 'value' => strtolower(['S', 'M', 'L', 'XL'][$j % 4])], ['key' => '_reduced_stock', 'value' => (string) $qty]],
        ];
    }
    return [
        'id' => 100000 + $i, 'parent_id' => 0, 'status' => ['wc-completed', 'wc-processing', 'wc-refunded', 'wc-on-hold'][$i % 4],
        'currency' => 'USD', 'prices_include_tax' => false, 'date_created' => date('Y-m-d H:i:s', 1700000000 + $i * 97),
        'total' => number_format(mt_rand(500, 90000) / 100, 2, '.', ''), 'discount_total' => '0.00', 'shipping_total' => '4.99',
        'customer_id' => $i % 3 ? 500 + $i % 9000 : 0, 'customer_note' => $i % 5 ? '' : "Please leave at the door; ring twice.\nThanks!",
        'billing' => ['first_name' => $first, 'last_name' => $last, 'company' => '', 'address_1' => ($i % 300) . ' Main St', 'address_2' => '',
            'city' => 'Springfield', 'state' => 'IL', 'postcode' => sprintf('%05d', 60000 + $i % 999), 'country' => 'US',
            'email' => strtolower("$first.$last+$i@example.com"), 'phone' => sprintf('+1-555-%04d', $i % 10000)],
        'shipping' => ['first_name' => $first, 'last_name' => $last, 'address_1' => ($i % 300) . ' Main St', 'city' => 'Springfield', 'postcode' => sprintf('%05d', 60000 + $i % 999), 'country' => 'US'],
        'line_items' => $items,
        'meta_data' => [
            '_segmentflow_utm_source' => ['newsletter', 'google', '', 'facebook'][$i % 4], '_segmentflow_utm_medium' => $i % 2 ? 'email' : 'cpc',
            '_segmentflow_locale' => 'en_US', '_order_attribution_session_pages' => (string) ($i % 17), '_wc_order_stock_reduced' => 'yes',
            'is_vat_exempt' => 'no', '_customer_user_agent' => 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
        ],
        'rating' => $i % 7 ? round(mt_rand(10, 50) / 10, 1) : null, 'weight' => 0.1 + ($i % 10) / 10,
        'capabilities' => ['customer' => true], 'paid' => $i % 4 !== 3,
    ];
}

[$self, $cmd, $file] = $argv + [null, null, null];
if ($cmd === 'gen' && $file) {
    $target = (int) (($argv[3] ?? 55) * 1000000);
    // Estimate the size of one record, then build the whole array at once.
    $per = strlen(serialize(array_map('record', range(0, 99)))) / 100;
    $n = (int) ceil($target / $per * 1.02);
    $data = array_map('record', range(0, $n - 1));
    $bytes = serialize($data);
    file_put_contents($file, $bytes);
    fwrite(STDERR, sprintf("wrote %s: %d records, %.1f MB\n", $file, $n, strlen($bytes) / 1e6));
} elseif ($cmd === 'time' && $file) {
    $runs = max(1, (int) ($argv[3] ?? 5));
    $bytes = file_get_contents($file);
    $times = [];
    $cpu = [];
    $oncpu = function (): ?int {
        $s = @file_get_contents('/proc/thread-self/schedstat');
        return $s === false ? null : (int) explode(' ', $s)[0];
    };
    for ($r = 0; $r < $runs; $r++) {
        $c = $oncpu();
        $t = hrtime(true);
        $value = unserialize($bytes);
        $times[] = (hrtime(true) - $t) / 1e9;
        $c2 = $oncpu();
        if ($c !== null && $c2 !== null) { $cpu[] = ($c2 - $c) / 1e9; }
        if ($value === false) { fwrite(STDERR, "unserialize failed\n"); exit(1); }
        unset($value);
    }
    $first = $times[0];
    sort($times);
    sort($cpu);
    echo json_encode(['php' => PHP_VERSION, 'bytes' => strlen($bytes), 'runs' => $runs, 'best_seconds' => $times[0],
        'median_seconds' => $times[intdiv($runs, 2)], 'best_cpu_seconds' => $cpu[0] ?? null, 'first_seconds' => $first]), "\n";
} else {
    fwrite(STDERR, "usage: php bench/php_unserialize.php gen <file> [megabytes] | time <file> [runs]\n");
    exit(2);
}
