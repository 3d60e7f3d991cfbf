//! The database layer against the real MariaDB server: session set-up as
//! WordPress does it, zero dates, typed getters, transactions.

use segmentflow_wpcli::wordpress::db::{ConnectParams, Db, DbError, Engine, Param, Row};

use crate::util::{TEST_PASSWORD, TEST_USER, TestEnv, server};

fn connect(env: &TestEnv) -> Db {
    let params = ConnectParams {
        host: Some("127.0.0.1".into()),
        port: Some(3306),
        socket: server().socket.clone(),
        user: TEST_USER.into(),
        password: TEST_PASSWORD.into(),
        database: env.db.clone(),
        charset: Some("utf8mb4".into()),
    };
    Db::connect_mysql(&params).expect("connect")
}

fn first(db: &mut Db, sql: &str) -> Row {
    db.query_first(sql, &[]).unwrap().expect("a row")
}

#[test]
fn session_is_set_up_like_wordpress() {
    let env = TestEnv::read_only();
    let mut db = connect(&env);
    assert_eq!(db.engine(), Engine::Mysql);
    let row = first(
        &mut db,
        "SELECT @@SESSION.sql_mode, @@character_set_client, @@character_set_results, @@SESSION.time_zone, @@GLOBAL.time_zone",
    );
    let modes = row.required_str(0).unwrap().to_owned();
    for bad in [
        "STRICT_TRANS_TABLES",
        "STRICT_ALL_TABLES",
        "NO_ZERO_DATE",
        "ONLY_FULL_GROUP_BY",
        "TRADITIONAL",
    ] {
        assert!(!modes.split(',').any(|m| m == bad), "{bad} left in {modes}");
    }
    assert_eq!(row.str(1).unwrap(), Some("utf8mb4"));
    assert_eq!(row.str(2).unwrap(), Some("utf8mb4"));
    assert_eq!(
        row.str(3).unwrap(),
        row.str(4).unwrap(),
        "time zone left alone"
    );
}

#[test]
fn zero_dates_and_typed_getters() {
    let env = TestEnv::read_only_multisite();
    let mut db = connect(&env);
    let mut rows = Vec::new();
    db.query_rows(
        "SELECT blog_id, domain, registered, last_updated FROM wp_blogs WHERE blog_id IN (?, ?) ORDER BY blog_id",
        &[Param::Int(1), Param::Int(2)],
        |row| {
            rows.push(row.clone());
            Ok::<_, DbError>(())
        },
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    let main = &rows[0];
    assert_eq!(
        main.columns(),
        ["blog_id", "domain", "registered", "last_updated"]
    );
    assert_eq!(main.i64(0).unwrap(), Some(1));
    assert_eq!(main.str(1).unwrap(), Some("example.test"));
    assert!(main.datetime(2).unwrap().is_some());
    assert_eq!(main.bytes(3).unwrap(), Some(&b"0000-00-00 00:00:00"[..]));
    assert_eq!(main.datetime(3).unwrap(), None, "a zero date reads as None");
    let err = main.i64(1).unwrap_err().to_string();
    assert!(
        err.contains("'domain'") && err.contains("not an integer"),
        "{err}"
    );
    assert!(rows[1].datetime(3).unwrap().is_some());
}

#[test]
fn parameters_are_bound_not_pasted() {
    let env = TestEnv::read_only();
    let mut db = connect(&env);
    let row = db
        .query_first(
            "SELECT COUNT(*) FROM wp_options WHERE option_name = ?",
            &[Param::Str("x' OR '1'='1")],
        )
        .unwrap()
        .unwrap();
    assert_eq!(row.i64(0).unwrap(), Some(0));
}

#[test]
fn transactions_commit_and_roll_back() {
    let env = TestEnv::new();
    let mut db = connect(&env);
    let result: Result<(), DbError> = db.transaction(|tx| {
        tx.execute(
            "INSERT INTO wp_options (option_name, option_value, autoload) VALUES (?, ?, 'no')",
            &[Param::Str("segmentflow_tx"), Param::Bytes(b"1")],
        )?;
        tx.execute("INSERT INTO no_such_table VALUES (1)", &[])?;
        Ok(())
    });
    assert!(result.is_err());
    assert_eq!(env.option_row("segmentflow_tx"), None, "rolled back");
    db.transaction(|tx| {
        tx.execute(
            "INSERT INTO wp_options (option_name, option_value, autoload) VALUES (?, ?, 'no')",
            &[Param::Str("segmentflow_tx"), Param::Bytes(b"\xc3\xa9")],
        )
    })
    .unwrap();
    assert_eq!(
        env.option_row("segmentflow_tx"),
        Some(("é".into(), "no".into()))
    );
}
