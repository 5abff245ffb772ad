//! Change feeds against the sandbox: initial sync then only changes, concurrent writers while the
//! feed pages, a crash before commit, clock skew and late writes, v3.1 deletions, Sage 200's
//! `date_time_updated`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::changes::{Change, ChangeFeed, Changes, Checkpoint, CheckpointStore, FileCheckpointStore};
use sage_core::{Client, HeaderPolicy, Operation, Product};
use sage_sandbox::{fixtures, Sandbox};
use serde_json::{json, Map, Value};

async fn sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).start().await.expect("sandbox starts")
}

async fn client(sandbox: &Sandbox, product: Product, headers: Option<HeaderPolicy>) -> Client {
    let signed_in = sandbox.sign_in(product.name).await.expect("sign in");
    let store = Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens));
    let mut builder =
        Client::builder(product).base_url(signed_in.api_base_url).auth(Authenticator::new(signed_in.oauth, store));
    if let Some(policy) = headers {
        builder = builder.headers(policy);
    }
    builder.build().expect("client")
}

/// One pass: its changes in order and the checkpoint it ends at.
async fn pass<T: serde::de::DeserializeOwned + Send + 'static>(feed: &ChangeFeed<T>) -> (Vec<Change<T>>, Checkpoint) {
    let batches: Vec<_> = feed.poll().try_collect().await.expect("a pass");
    let checkpoint = batches.last().expect("a pass ends with a checkpoint").checkpoint.clone();
    (batches.into_iter().flat_map(|batch| batch.changes).collect(), checkpoint)
}

fn upserted_ids<T>(changes: &[Change<T>]) -> Vec<String> {
    let mut ids: Vec<String> = changes
        .iter()
        .filter(|change| matches!(change, Change::Upserted { .. }))
        .map(|change| change.id().to_owned())
        .collect();
    ids.sort();
    ids
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `count` records whose updates happened over the past two hours, oldest first.
fn history(count: usize, make: impl Fn(usize) -> Value) -> Vec<Value> {
    let start = Utc::now() - chrono::Duration::hours(2);
    (0..count)
        .map(|n| {
            let mut record = make(n);
            let at = stamp(start + chrono::Duration::milliseconds(n as i64 * 3));
            record["created_at"] = json!(at);
            record["updated_at"] = json!(at);
            record
        })
        .collect()
}

fn fields(pairs: Value) -> Map<String, Value> {
    pairs.as_object().cloned().unwrap_or_default()
}

const LEAD: &str = fixtures::V31_BUSINESSES[0].id;

#[tokio::test]
async fn an_initial_sync_then_only_what_changed_including_v31_deletions() {
    use sage_accounting_v31::contacts::{DeleteContact, ListContacts};
    let sandbox = sandbox().await;
    let client = client(&sandbox, sage_accounting_v31::PRODUCT, None).await;
    sandbox
        .insert_records("accounting-v31", LEAD, "/contacts", history(450, |n| json!({"name": format!("C{n}")})))
        .unwrap();

    let feed = client.changes(&ListContacts::new(), Checkpoint::default()).unwrap().page_size(100);
    let (changes, checkpoint) = pass(&feed).await;
    let all: Vec<String> = ListContacts::new()
        .items_per_page(200)
        .items(&client)
        .map_ok(|contact| String::from(contact.id.unwrap()))
        .try_collect()
        .await
        .unwrap();
    let mut all_sorted = all.clone();
    all_sorted.sort();
    assert_eq!(upserted_ids(&changes), all_sorted, "every contact, once");
    assert!(changes.iter().all(|change| match change {
        Change::Upserted { record, updated_at, .. } => record.updated_at.map(|at| at.to_utc()) == Some(*updated_at),
        Change::Deleted { .. } => true,
    }));

    let touched = sandbox.touch_records("accounting-v31", LEAD, "/contacts", 3, fields(json!({"notes": "changed"})));
    let gone = all[7].clone();
    DeleteContact::new(gone.clone()).send(&client).await.unwrap();
    let before = sandbox.stats().api_requests;
    let feed = client.changes(&ListContacts::new(), checkpoint).unwrap().page_size(100);
    let (changes, _) = pass(&feed).await;
    let requests = sandbox.stats().api_requests - before;
    let mut expected = touched.clone();
    expected.sort();
    assert_eq!(upserted_ids(&changes), expected, "only the changed contacts");
    let deleted: Vec<&str> =
        changes.iter().filter(|change| matches!(change, Change::Deleted { .. })).map(Change::id).collect();
    assert_eq!(deleted, [gone.as_str()], "the deletion, from deleted_since");
    assert_eq!(requests, 2, "one page of changes and one of deletions");
}

/// Reads the server's current state of a list: id → updated_at.
async fn server_state(client: &Client, request: sage_core::Request) -> HashMap<String, String> {
    let mut state = HashMap::new();
    let mut page = 1;
    loop {
        let mut request = request.clone();
        request.set_query("page", page);
        request.set_query("items_per_page", 200);
        request.set_query("attributes", "updated_at");
        let body: Value = serde_json::from_slice(&client.execute(&request).await.unwrap().body).unwrap();
        let items = body["$items"].as_array().unwrap();
        for item in items {
            state.insert(item["id"].as_str().unwrap().to_owned(), item["updated_at"].as_str().unwrap().to_owned());
        }
        if items.len() < 200 {
            return state;
        }
        page += 1;
    }
}

#[tokio::test]
async fn concurrent_writers_lose_nothing_and_the_caller_sees_each_version_once() {
    use sage_accounting_v31::sales::ListSalesInvoices;
    let sandbox = Arc::new(sandbox().await);
    let client = client(&sandbox, sage_accounting_v31::PRODUCT, None).await;
    let invoices = "/sales_invoices";
    sandbox
        .insert_records("accounting-v31", LEAD, invoices, history(3000, |n| json!({"reference": format!("SI{n}")})))
        .unwrap();
    let request = ListSalesInvoices::new().request().unwrap();

    let writer = {
        let sandbox = sandbox.clone();
        tokio::spawn(async move {
            for round in 0..150 {
                sandbox.touch_records("accounting-v31", LEAD, invoices, 1 + round % 4, fields(json!({"round": round})));
                let new = vec![json!({"reference": format!("NEW{round}")})];
                sandbox.insert_records("accounting-v31", LEAD, invoices, new).unwrap();
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };

    let mut feed = ChangeFeed::<Value>::new(&client, request.clone(), ListSalesInvoices::FEED, Checkpoint::default())
        .page_size(50);
    let mut local: HashMap<String, String> = HashMap::new();
    let mut delivered: HashSet<(String, DateTime<Utc>)> = HashSet::new();
    let mut writing = true;
    while writing {
        writing = !writer.is_finished();
        let (changes, checkpoint) = pass(&feed).await;
        for change in changes {
            let Change::Upserted { id, updated_at, record } = change else { panic!("no deletions here") };
            assert!(delivered.insert((id.clone(), updated_at)), "version {id}@{updated_at} delivered twice");
            assert_eq!(record["updated_at"].as_str().map(str::to_owned), Some(stamp(updated_at)));
            local.insert(id, stamp(updated_at));
        }
        feed.set_checkpoint(checkpoint);
    }
    writer.await.unwrap();
    let server = server_state(&client, request).await;
    assert!(server.len() > 3000);
    assert_eq!(local.len(), server.len(), "every record arrived");
    for (id, updated_at) in &server {
        assert_eq!(local.get(id), Some(updated_at), "{id}: the latest version arrived");
    }
}

#[tokio::test]
async fn a_crash_before_commit_delivers_again_and_a_commit_moves_on() {
    use sage_accounting_v31::contacts::ListContacts;
    let sandbox = sandbox().await;
    let client = client(&sandbox, sage_accounting_v31::PRODUCT, None).await;
    sandbox.insert_records("accounting-v31", LEAD, "/contacts", history(250, |_| json!({"name": "C"}))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = FileCheckpointStore::new(dir.path().join("checkpoints.json"));
    let key = "accounting-v31/lead/list_contacts";

    let start = store.load(key).await.unwrap().unwrap_or_default();
    let feed = client.changes(&ListContacts::new(), start).unwrap().page_size(100);
    let first_try: Vec<_> = feed.poll().try_collect().await.unwrap();
    // Processed, but the process dies before storing the checkpoint.
    drop(feed);

    let start = store.load(key).await.unwrap().unwrap_or_default();
    let feed = client.changes(&ListContacts::new(), start).unwrap().page_size(100);
    let second_try: Vec<_> = feed.poll().try_collect().await.unwrap();
    let ids = |batches: &[sage_core::changes::Batch<_>]| {
        upserted_ids(&batches.iter().flat_map(|batch| batch.changes.clone()).collect::<Vec<_>>())
    };
    assert!(ids(&first_try).len() > 250);
    assert_eq!(ids(&second_try), ids(&first_try), "nothing committed: everything again");
    for batch in &second_try {
        store.save(key, &batch.checkpoint).await.unwrap();
    }

    let touched = sandbox.touch_records("accounting-v31", LEAD, "/contacts", 1, Map::new());
    let resumed = store.load(key).await.unwrap().expect("committed");
    let (changes, _) = pass(&client.changes(&ListContacts::new(), resumed).unwrap()).await;
    assert_eq!(upserted_ids(&changes), touched, "after the commit only the new change");
}

#[tokio::test]
async fn server_clock_skew_and_late_writes_lose_nothing() {
    use sage_accounting_v31::contacts::ListContacts;
    let sandbox = sandbox().await;
    let client = client(&sandbox, sage_accounting_v31::PRODUCT, None).await;
    for skew_ms in [-2_000, 2_000] {
        sandbox.set_clock_skew(skew_ms);
        let (_, checkpoint) = pass(&client.changes(&ListContacts::new(), Checkpoint::default()).unwrap()).await;
        let touched = sandbox.touch_records("accounting-v31", LEAD, "/contacts", 2, Map::new());
        let (changes, _) = pass(&client.changes(&ListContacts::new(), checkpoint).unwrap()).await;
        let mut expected = touched;
        expected.sort();
        assert_eq!(upserted_ids(&changes), expected, "skew {skew_ms} ms");
    }

    // A write stamped two seconds before it became visible is older than the checkpoint.
    sandbox.set_clock_skew(0);
    sandbox.touch_records("accounting-v31", LEAD, "/contacts", 1, Map::new());
    let (_, checkpoint) = pass(&client.changes(&ListContacts::new(), Checkpoint::default()).unwrap()).await;
    assert!(checkpoint.updated.is_some());
    sandbox.set_write_lag(Duration::from_secs(2));
    let late = sandbox.touch_records("accounting-v31", LEAD, "/contacts", 3, Map::new());
    let (changes, _) = pass(&client.changes(&ListContacts::new(), checkpoint.clone()).unwrap()).await;
    let mut expected = late.clone();
    expected.sort();
    assert_eq!(upserted_ids(&changes), expected, "the overlap window catches late writes");
    let without_overlap = client.changes(&ListContacts::new(), checkpoint).unwrap().overlap(Duration::ZERO);
    let (changes, _) = pass(&without_overlap).await;
    assert!(upserted_ids(&changes).is_empty(), "without the overlap they would be missed");
}

#[tokio::test]
async fn sage200_follows_date_time_updated() {
    use sage200_pro::sales::{CreateCustomer, ListCustomers, NewCustomer};
    let sandbox = sandbox().await;
    let policy = HeaderPolicy::sage200("1", fixtures::SAGE200_SITE_ID);
    let client = client(&sandbox, sage200_pro::PRODUCT, Some(policy)).await;
    assert_eq!(ListCustomers::FEED.updated_field, "date_time_updated");
    assert!(ListCustomers::FEED.deleted.is_none(), "Sage 200 has no deletion feed");

    let feed = client.changes(&ListCustomers::new(), Checkpoint::default()).unwrap().page_size(2);
    let (changes, checkpoint) = pass(&feed).await;
    let all: Vec<i64> =
        ListCustomers::new().items(&client).map_ok(|c| i64::from(c.id.unwrap())).try_collect().await.unwrap();
    let mut all: Vec<String> = all.into_iter().map(|id| id.to_string()).collect();
    all.sort();
    assert_eq!(upserted_ids(&changes), all);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let id = CreateCustomer::new(NewCustomer::new("Feed Ltd", "FEED01")).send(&client).await.unwrap().id.unwrap();
    let feed = client.changes(&ListCustomers::new(), checkpoint).unwrap().page_size(2);
    let (changes, _) = pass(&feed).await;
    assert_eq!(upserted_ids(&changes), [id.to_string()]);
    let Change::Upserted { record, .. } = &changes[0] else { unreachable!() };
    assert_eq!(record.reference, "FEED01");
}

#[tokio::test]
async fn a_group_of_equal_timestamps_larger_than_a_page_is_delivered_whole() {
    use sage_accounting_v31::sales::ListSalesInvoices;
    let sandbox = sandbox().await;
    let client = client(&sandbox, sage_accounting_v31::PRODUCT, None).await;
    let at = stamp(Utc::now() - chrono::Duration::minutes(10));
    let same: Vec<Value> =
        (0..230).map(|n| json!({"reference": format!("T{n}"), "created_at": at, "updated_at": at})).collect();
    sandbox.insert_records("accounting-v31", LEAD, "/sales_invoices", same).unwrap();
    let request = ListSalesInvoices::new().request().unwrap();
    let feed = ChangeFeed::<Value>::new(&client, request.clone(), ListSalesInvoices::FEED, Checkpoint::default())
        .page_size(50);
    let (changes, checkpoint) = pass(&feed).await;
    let mut server: Vec<String> = server_state(&client, request.clone()).await.into_keys().collect();
    server.sort();
    assert_eq!(upserted_ids(&changes), server, "all of the group, once each");
    let again = ChangeFeed::<Value>::new(&client, request, ListSalesInvoices::FEED, checkpoint).page_size(50);
    assert!(pass(&again).await.0.is_empty(), "nothing new: the overlap re-read is de-duplicated");
}
