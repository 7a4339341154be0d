//! The item-store contract: every test runs on the embedded store and on DynamoDB (moto).

use fairlink_domain::ports::IdentitySubject;
use std::{collections::HashSet, sync::Arc};

use fairlink_domain::{
    DomainError,
    ports::{
        Change, Condition, Index, Item, ItemStore, Key, Query, SortCondition, StoreError, WriteOp,
    },
};
use fairlink_store::{Gone, PageRequest, query_page};
use serde_json::{Value, json};

/// A store under test and whatever keeps it alive.
struct Subject {
    store: Arc<dyn ItemStore>,
    _dir: Option<tempfile::TempDir>,
}

fn embedded() -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let store = fairlink_embedded::EmbeddedItemStore::open(dir.path()).unwrap();
    Subject {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

async fn dynamodb() -> Subject {
    let (sdk, settings) = fairlink_tests::bootstrapped_moto().await;
    let store =
        fairlink_aws::DynamoItemStore::new(aws_sdk_dynamodb::Client::new(&sdk), &settings.table);
    Subject {
        store: Arc::new(store),
        _dir: None,
    }
}

fn item(value: Value) -> Item {
    value.as_object().unwrap().clone()
}

fn sks(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["sk"].as_str().unwrap().to_string())
        .collect()
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod embedded_store {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::embedded()).await })*
        }
        mod dynamodb_store {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::dynamodb().await).await })*
        }
    };
}

/// The embedded store with lagging indexes (`LaggingIndexes`) must keep the rest of the
/// contract: everything but what reads an index, which lags by design.
fn lagging() -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let store = fairlink_embedded::EmbeddedItemStore::open(dir.path()).unwrap();
    Subject {
        store: Arc::new(fairlink_embedded::LaggingIndexes::new(
            Arc::new(store),
            std::time::Duration::from_secs(30),
        )),
        _dir: Some(dir),
    }
}

macro_rules! table_contract_with_lagging_indexes {
    ($($name:ident),* $(,)?) => {
        mod lagging_store {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::lagging()).await })*
        }
    };
}

table_contract_with_lagging_indexes!(
    put_get_delete,
    batch_gets_answer_in_the_order_asked,
    batch_deletes_take_many_keys_at_once,
    conditional_puts,
    updates_apply_changes_under_conditions,
    conditional_deletes,
    transactions_are_all_or_nothing,
    transactions_take_an_item_once,
    queries_follow_sort_order_and_conditions,
    strings_sort_by_their_bytes,
    cursors_page_through_both_ways,
    cursors_stay_in_their_partition,
    fifty_racing_increments_never_pass_the_limit,
    fifty_racing_creates_have_one_winner,
);

contract!(
    put_get_delete,
    batch_gets_answer_in_the_order_asked,
    batch_deletes_take_many_keys_at_once,
    conditional_puts,
    updates_apply_changes_under_conditions,
    conditional_deletes,
    transactions_are_all_or_nothing,
    transactions_take_an_item_once,
    queries_follow_sort_order_and_conditions,
    strings_sort_by_their_bytes,
    cursors_page_through_both_ways,
    indexes_are_sparse_and_follow_updates,
    cursors_stay_in_their_partition,
    fifty_racing_increments_never_pass_the_limit,
    fifty_racing_creates_have_one_winner,
    account_changes_from_one_snapshot_do_not_overwrite_each_other,
);

async fn put_get_delete(s: Subject) {
    let key = Key::new("P#1", "S#1");
    let stored = item(
        json!({"pk": "P#1", "sk": "S#1", "name": "蓝牙音箱", "n": 42, "f": 2.5, "ok": true,
        "none": null, "list": [1, "two"], "map": {"nested": {"deep": "yes"}}}),
    );
    s.store.put(stored.clone(), None).await.unwrap();
    assert_eq!(s.store.get(&key).await.unwrap(), Some(stored));
    s.store.delete(&key, None).await.unwrap();
    assert_eq!(s.store.get(&key).await.unwrap(), None);
    // Deleting what is not there is fine, as in DynamoDB.
    s.store.delete(&key, None).await.unwrap();
}

async fn batch_gets_answer_in_the_order_asked(s: Subject) {
    // 150 keys: more than one BatchGetItem call, with gaps and a repeat.
    for i in (0..150).filter(|i| i % 3 != 0) {
        let stored = item(json!({"pk": format!("B#{i}"), "sk": "S", "i": i}));
        s.store.put(stored, None).await.unwrap();
    }
    let mut keys: Vec<Key> = (0..150).map(|i| Key::new(format!("B#{i}"), "S")).collect();
    keys.push(Key::new("B#1", "S"));
    let found = s.store.get_many(&keys).await.unwrap();
    assert_eq!(found.len(), 151);
    for (i, got) in found.iter().take(150).enumerate() {
        match got {
            Some(item) => assert_eq!(item["i"], json!(i)),
            None => assert_eq!(i % 3, 0, "item {i} is missing"),
        }
    }
    assert_eq!(found[150].as_ref().unwrap()["i"], json!(1));
    assert!(s.store.get_many(&[]).await.unwrap().is_empty());
}

async fn batch_deletes_take_many_keys_at_once(s: Subject) {
    // 60 items, 40 of them deleted: more than one BatchWriteItem call, with a repeated key
    // and keys that were never there.
    for i in 0..60 {
        let stored = item(json!({"pk": format!("D#{i}"), "sk": "S", "i": i}));
        s.store.put(stored, None).await.unwrap();
    }
    let mut keys: Vec<Key> = (0..40).map(|i| Key::new(format!("D#{i}"), "S")).collect();
    keys.push(Key::new("D#3", "S"));
    keys.push(Key::new("D#never", "S"));
    s.store.delete_many(&keys).await.unwrap();
    let all: Vec<Key> = (0..60).map(|i| Key::new(format!("D#{i}"), "S")).collect();
    let found = s.store.get_many(&all).await.unwrap();
    for (i, got) in found.iter().enumerate() {
        assert_eq!(got.is_some(), i >= 40, "item {i}");
    }
    s.store.delete_many(&[]).await.unwrap();
}

async fn conditional_puts(s: Subject) {
    let first = item(json!({"pk": "P", "sk": "S", "v": 1}));
    s.store
        .put(first.clone(), Some(Condition::NotExists))
        .await
        .unwrap();
    let second = item(json!({"pk": "P", "sk": "S", "v": 2}));
    let err = s
        .store
        .put(second.clone(), Some(Condition::NotExists))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed(), "{err:?}");
    assert_eq!(s.store.get(&Key::new("P", "S")).await.unwrap(), Some(first));

    let missing = item(json!({"pk": "P", "sk": "other"}));
    assert!(
        s.store
            .put(missing, Some(Condition::Exists))
            .await
            .unwrap_err()
            .is_condition_failed()
    );

    let wrong_version = Condition::Equals("v".into(), json!(7));
    assert!(
        s.store
            .put(second.clone(), Some(wrong_version))
            .await
            .unwrap_err()
            .is_condition_failed()
    );
    s.store
        .put(
            second.clone(),
            Some(Condition::Equals("v".into(), json!(1))),
        )
        .await
        .unwrap();
    assert_eq!(
        s.store.get(&Key::new("P", "S")).await.unwrap(),
        Some(second)
    );
}

async fn updates_apply_changes_under_conditions(s: Subject) {
    let key = Key::new("P", "counter");
    // An update creates a missing item; ADD starts from zero.
    let created = s
        .store
        .update(
            &key,
            vec![
                Change::Add("used".into(), 2),
                Change::Set("name".into(), json!("q")),
            ],
            None,
        )
        .await
        .unwrap();
    assert_eq!(created["used"], json!(2));
    assert_eq!(created["pk"], json!("P"));

    let under_limit = Condition::And(vec![
        Condition::Exists,
        Condition::LessThan("used".into(), json!(3)),
    ]);
    let updated = s
        .store
        .update(
            &key,
            vec![Change::Add("used".into(), 1), Change::Remove("name".into())],
            Some(under_limit.clone()),
        )
        .await
        .unwrap();
    assert_eq!(updated["used"], json!(3));
    assert!(!updated.contains_key("name"));

    let err = s
        .store
        .update(&key, vec![Change::Add("used".into(), 1)], Some(under_limit))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    assert_eq!(s.store.get(&key).await.unwrap().unwrap()["used"], json!(3));

    let either = Condition::Or(vec![
        Condition::NotExists,
        Condition::LessOrEqual("used".into(), json!(3)),
    ]);
    s.store
        .update(
            &key,
            vec![Change::Set("flag".into(), json!(true))],
            Some(either),
        )
        .await
        .unwrap();
    let absent = Condition::AttrNotExists("flag".into());
    assert!(
        s.store
            .update(&key, vec![], Some(absent))
            .await
            .unwrap_err()
            .is_condition_failed()
    );

    s.store
        .put(item(json!({"pk": "P", "sk": "text", "used": "many"})), None)
        .await
        .unwrap();
    let err = s
        .store
        .update(
            &Key::new("P", "text"),
            vec![Change::Add("used".into(), 1)],
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
}

async fn conditional_deletes(s: Subject) {
    let key = Key::new("P", "S");
    s.store
        .put(item(json!({"pk": "P", "sk": "S", "state": "booked"})), None)
        .await
        .unwrap();
    let free = Condition::Equals("state".into(), json!("free"));
    assert!(
        s.store
            .delete(&key, Some(free))
            .await
            .unwrap_err()
            .is_condition_failed()
    );
    assert!(s.store.get(&key).await.unwrap().is_some());
    s.store
        .delete(
            &key,
            Some(Condition::NotEquals("state".into(), json!("free"))),
        )
        .await
        .unwrap();
    assert!(s.store.get(&key).await.unwrap().is_none());
}

async fn transactions_are_all_or_nothing(s: Subject) {
    s.store
        .put(item(json!({"pk": "T", "sk": "b", "n": 1})), None)
        .await
        .unwrap();
    s.store
        .put(item(json!({"pk": "T", "sk": "c"})), None)
        .await
        .unwrap();
    s.store
        .put(item(json!({"pk": "T", "sk": "d"})), None)
        .await
        .unwrap();
    let failing = vec![
        WriteOp::Put {
            item: item(json!({"pk": "T", "sk": "a"})),
            condition: Some(Condition::NotExists),
        },
        WriteOp::Update {
            key: Key::new("T", "b"),
            changes: vec![Change::Add("n".into(), 1)],
            condition: None,
        },
        WriteOp::Put {
            item: item(json!({"pk": "T", "sk": "c", "x": 1})),
            condition: Some(Condition::NotExists),
        },
        WriteOp::Delete {
            key: Key::new("T", "d"),
            condition: None,
        },
    ];
    let err = s.store.transact(failing).await.unwrap_err();
    assert_eq!(err, StoreError::ConditionFailed { op: Some(2) });
    assert!(s.store.get(&Key::new("T", "a")).await.unwrap().is_none());
    assert_eq!(
        s.store.get(&Key::new("T", "b")).await.unwrap().unwrap()["n"],
        json!(1)
    );
    assert!(s.store.get(&Key::new("T", "d")).await.unwrap().is_some());

    let check_fails = vec![
        WriteOp::Put {
            item: item(json!({"pk": "T", "sk": "a"})),
            condition: None,
        },
        WriteOp::Check {
            key: Key::new("T", "missing"),
            condition: Condition::Exists,
        },
    ];
    assert_eq!(
        s.store.transact(check_fails).await.unwrap_err(),
        StoreError::ConditionFailed { op: Some(1) }
    );
    assert!(s.store.get(&Key::new("T", "a")).await.unwrap().is_none());

    let succeeding = vec![
        WriteOp::Put {
            item: item(json!({"pk": "T", "sk": "a"})),
            condition: Some(Condition::NotExists),
        },
        WriteOp::Update {
            key: Key::new("T", "b"),
            changes: vec![Change::Add("n".into(), 1)],
            condition: Some(Condition::Exists),
        },
        WriteOp::Check {
            key: Key::new("T", "c"),
            condition: Condition::Exists,
        },
        WriteOp::Delete {
            key: Key::new("T", "d"),
            condition: Some(Condition::Exists),
        },
    ];
    s.store.transact(succeeding).await.unwrap();
    assert!(s.store.get(&Key::new("T", "a")).await.unwrap().is_some());
    assert_eq!(
        s.store.get(&Key::new("T", "b")).await.unwrap().unwrap()["n"],
        json!(2)
    );
    assert!(s.store.get(&Key::new("T", "d")).await.unwrap().is_none());
}

async fn transactions_take_an_item_once(s: Subject) {
    let twice = vec![
        WriteOp::Put {
            item: item(json!({"pk": "T", "sk": "a"})),
            condition: None,
        },
        WriteOp::Update {
            key: Key::new("T", "a"),
            changes: vec![Change::Add("n".into(), 1)],
            condition: None,
        },
    ];
    let err = s.store.transact(twice).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(s.store.get(&Key::new("T", "a")).await.unwrap().is_none());
}

async fn seed(store: &dyn ItemStore, partition: &str, sks: &[String]) {
    for sk in sks {
        store
            .put(item(json!({"pk": partition, "sk": sk})), None)
            .await
            .unwrap();
    }
}

async fn queries_follow_sort_order_and_conditions(s: Subject) {
    let mut all: Vec<String> = (1..=12).map(|i| format!("a#{i:02}")).collect();
    all.extend(["b#01".to_string(), "a".to_string(), "ab".to_string()]);
    seed(s.store.as_ref(), "Q", &all).await;
    s.store
        .put(item(json!({"pk": "Q2", "sk": "a#00"})), None)
        .await
        .unwrap();

    let run = |query: Query| {
        let store = s.store.clone();
        async move { sks(&store.query(query.limit(100)).await.unwrap().items) }
    };
    let a: Vec<String> = (1..=12).map(|i| format!("a#{i:02}")).collect();
    assert_eq!(
        run(Query::table("Q").sort(SortCondition::BeginsWith("a#".into()))).await,
        a
    );
    let mut reversed = a.clone();
    reversed.reverse();
    assert_eq!(
        run(Query::table("Q")
            .sort(SortCondition::BeginsWith("a#".into()))
            .backward())
        .await,
        reversed
    );
    assert_eq!(
        run(Query::table("Q").sort(SortCondition::Between("a#03".into(), "a#05".into()))).await,
        ["a#03", "a#04", "a#05"]
    );
    assert_eq!(
        run(Query::table("Q").sort(SortCondition::GreaterThan("a#12".into()))).await,
        ["ab", "b#01"]
    );
    assert_eq!(
        run(Query::table("Q").sort(SortCondition::GreaterOrEqual("a#12".into()))).await,
        ["a#12", "ab", "b#01"]
    );
    assert_eq!(
        run(Query::table("Q").sort(SortCondition::LessThan("a#01".into()))).await,
        ["a"]
    );
    assert_eq!(
        run(Query::table("Q").sort(SortCondition::LessOrEqual("a#01".into()))).await,
        ["a", "a#01"]
    );
    assert_eq!(run(Query::table("Q")).await.len(), 15);
    assert_eq!(run(Query::table("nothing")).await, Vec::<String>::new());

    let first_two = s.store.query(Query::table("Q").limit(2)).await.unwrap();
    assert_eq!(sks(&first_two.items), ["a", "a#01"]);
    let next = s
        .store
        .query(Query::table("Q").limit(2).start_after(first_two.last_key))
        .await
        .unwrap();
    assert_eq!(sks(&next.items), ["a#02", "a#03"]);
}

async fn strings_sort_by_their_bytes(s: Subject) {
    seed(
        s.store.as_ref(),
        "U",
        &[
            "蓝牙".into(),
            "é".into(),
            "Z".into(),
            "a".into(),
            "b".into(),
            "音箱".into(),
        ],
    )
    .await;
    let items = s
        .store
        .query(Query::table("U").limit(10))
        .await
        .unwrap()
        .items;
    assert_eq!(sks(&items), ["Z", "a", "b", "é", "蓝牙", "音箱"]);
}

async fn cursors_page_through_both_ways(s: Subject) {
    let all: Vec<String> = (0..37).map(|i| format!("{i:03}")).collect();
    seed(s.store.as_ref(), "C", &all).await;
    for forward in [true, false] {
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let query = if forward {
                Query::table("C")
            } else {
                Query::table("C").backward()
            };
            let page = query_page::<Value>(
                s.store.as_ref(),
                query,
                &PageRequest::new(Some(5), cursor).unwrap(),
            )
            .await
            .unwrap();
            assert!(!page.items.is_empty(), "no empty pages");
            seen.extend(
                page.items
                    .iter()
                    .map(|i| i["sk"].as_str().unwrap().to_string()),
            );
            pages += 1;
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut expected = all.clone();
        if !forward {
            expected.reverse();
        }
        assert_eq!(seen, expected);
        assert_eq!(pages, 8);
    }
}

async fn indexes_are_sparse_and_follow_updates(s: Subject) {
    for i in 0..6 {
        let mut it = item(json!({"pk": format!("ACC#{i}"), "sk": "ACCOUNT", "n": i}));
        if i % 2 == 0 {
            it.insert("gsi1pk".into(), json!("EXH#e#ACCOUNTS"));
            it.insert("gsi1sk".into(), json!(format!("{}", 10 - i)));
        }
        s.store.put(it, None).await.unwrap();
    }
    let query = || Query::index(Index::Gsi1, "EXH#e#ACCOUNTS").limit(10);
    let page = s.store.query(query()).await.unwrap();
    let pks: Vec<_> = page
        .items
        .iter()
        .map(|i| i["pk"].as_str().unwrap().to_string())
        .collect();
    // Ordered by the index's sort key ("10" < "6" < "8" as strings).
    assert_eq!(pks, ["ACC#0", "ACC#4", "ACC#2"]);
    assert_eq!(
        page.items[0]["n"],
        json!(0),
        "the index projects whole items"
    );

    s.store
        .update(
            &Key::new("ACC#4", "ACCOUNT"),
            vec![
                Change::Remove("gsi1pk".into()),
                Change::Remove("gsi1sk".into()),
            ],
            None,
        )
        .await
        .unwrap();
    s.store
        .update(
            &Key::new("ACC#1", "ACCOUNT"),
            vec![
                Change::Set("gsi1pk".into(), json!("EXH#e#ACCOUNTS")),
                Change::Set("gsi1sk".into(), json!("0")),
            ],
            None,
        )
        .await
        .unwrap();
    s.store
        .delete(&Key::new("ACC#2", "ACCOUNT"), None)
        .await
        .unwrap();
    let pks: Vec<_> = s
        .store
        .query(query())
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i["pk"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(pks, ["ACC#1", "ACC#0"]);

    // Pages through an index with the repository's cursors.
    for i in 0..11 {
        let it =
            item(json!({"pk": format!("N#{i}"), "sk": "X", "gsi2pk": "ALL", "gsi2sk": "same"}));
        s.store.put(it, None).await.unwrap();
    }
    let mut seen = HashSet::new();
    let mut cursor = None;
    loop {
        let page = query_page::<Value>(
            s.store.as_ref(),
            Query::index(Index::Gsi2, "ALL"),
            &PageRequest::new(Some(3), cursor).unwrap(),
        )
        .await
        .unwrap();
        for it in &page.items {
            assert!(
                seen.insert(it["pk"].as_str().unwrap().to_string()),
                "repeated {it:?}"
            );
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen.len(),
        11,
        "equal index sort keys still page without loss"
    );
}

async fn cursors_stay_in_their_partition(s: Subject) {
    seed(
        s.store.as_ref(),
        "MINE",
        &["1".into(), "2".into(), "3".into()],
    )
    .await;
    seed(
        s.store.as_ref(),
        "THEIRS",
        &["1".into(), "2".into(), "3".into()],
    )
    .await;
    let page = query_page::<Value>(
        s.store.as_ref(),
        Query::table("THEIRS"),
        &PageRequest::new(Some(1), None).unwrap(),
    )
    .await
    .unwrap();
    let foreign = page.next_cursor.unwrap();
    let err = query_page::<Value>(
        s.store.as_ref(),
        Query::table("MINE"),
        &PageRequest::new(Some(1), Some(foreign)).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DomainError::Validation(_)), "{err:?}");
    let err = query_page::<Value>(
        s.store.as_ref(),
        Query::table("MINE"),
        &PageRequest::new(Some(1), Some("garbage".into())).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DomainError::Validation(_)), "{err:?}");
}

async fn fifty_racing_increments_never_pass_the_limit(s: Subject) {
    let key = Key::new("QUOTA", "exh");
    s.store
        .put(item(json!({"pk": "QUOTA", "sk": "exh", "used": 0})), None)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = s.store.clone();
            let key = key.clone();
            tokio::spawn(async move {
                let under = Condition::And(vec![
                    Condition::Exists,
                    Condition::LessThan("used".into(), json!(10)),
                ]);
                store
                    .update(&key, vec![Change::Add("used".into(), 1)], Some(under))
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(err) => assert!(err.is_condition_failed(), "{err:?}"),
        }
    }
    assert_eq!(won, 10);
    assert_eq!(s.store.get(&key).await.unwrap().unwrap()["used"], json!(10));
}

async fn fifty_racing_creates_have_one_winner(s: Subject) {
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = s.store.clone();
            tokio::spawn(async move {
                let claim = WriteOp::Put {
                    item: item(json!({"pk": "EMAIL#x@y.z", "sk": "EMAIL", "by": i})),
                    condition: Some(Condition::NotExists),
                };
                let account = WriteOp::Put {
                    item: item(json!({"pk": format!("ACC#{i}"), "sk": "ACCOUNT"})),
                    condition: Some(Condition::NotExists),
                };
                store.transact(vec![account, claim]).await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => won += 1,
            Err(err) => assert!(
                err == StoreError::ConditionFailed { op: Some(1) }
                    || err == StoreError::TransactionConflict,
                "{err:?}"
            ),
        }
    }
    assert_eq!(won, 1);
}

#[tokio::test]
async fn embedded_data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = fairlink_embedded::EmbeddedItemStore::open(dir.path()).unwrap();
        store
            .put(
                item(json!({"pk": "P", "sk": "S", "gsi1pk": "G", "gsi1sk": "1"})),
                None,
            )
            .await
            .unwrap();
    }
    let store = fairlink_embedded::EmbeddedItemStore::open(dir.path()).unwrap();
    assert!(store.get(&Key::new("P", "S")).await.unwrap().is_some());
    assert_eq!(
        store
            .query(Query::index(Index::Gsi1, "G"))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

async fn account_changes_from_one_snapshot_do_not_overwrite_each_other(s: Subject) {
    use fairlink_domain::model::{Account, Language, Permission, Role};
    // No job is committed here: the queue only completes the repository.
    let queue = Arc::new(fairlink_embedded::InProcessQueue::new(Arc::new(
        fairlink_domain::ports::SystemClock,
    )));
    let repo = fairlink_store::Repository::new(s.store.clone(), queue);
    let snapshot = Account {
        id: "acc_1".into(),
        role: Role::Exhibitor,
        exhibitor_id: Some("exh_1".into()),
        is_main: false,
        name: "Li".into(),
        email: "li@example.cn".into(),
        phone: None,
        language: Language::ZH,
        time_zone: "Asia/Shanghai".into(),
        permissions: [Permission::Im].into(),
        zone_ids: vec![],
        online: false,
        active: true,
        company: None,
        country: None,
        created_at: chrono::Utc::now(),
    };
    repo.create_account(&snapshot, &IdentitySubject(snapshot.id.clone()), None)
        .await
        .unwrap()
        .expect("the account is new");
    // Two requests read the same account: one sets presence, the other permissions.
    let online = Account {
        online: true,
        ..snapshot.clone()
    };
    let promoted = Account {
        permissions: [Permission::Im, Permission::Recommend].into(),
        ..snapshot.clone()
    };
    repo.save_account_changes(&snapshot, &online)
        .await
        .unwrap()
        .unwrap();
    repo.save_account_changes(&snapshot, &promoted)
        .await
        .unwrap()
        .unwrap();
    let stored = repo.account("acc_1").await.unwrap().unwrap();
    assert!(stored.online, "the presence change survived");
    assert!(
        stored.permissions.contains(&Permission::Recommend),
        "the permission change survived"
    );
    let page = repo
        .exhibitor_accounts("exh_1", &PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "still listed under its exhibitor");

    let ghost = Account {
        id: "acc_ghost".into(),
        ..snapshot.clone()
    };
    let outcome = repo
        .save_account_changes(
            &ghost,
            &Account {
                online: true,
                ..ghost.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        Err(Gone),
        "a change of a missing account is refused"
    );
}
