//! Typed queries (#31.3): generated field paths render `$filter`, `$select`, `$orderby` and
//! `$expand` as Sage documents them (developer.sage.com/200/guides/query-parameters), refuse what
//! Sage cannot answer before sending, and the sandbox answers them; v3.1 lists take typed
//! `attributes`.

use expect_test::expect;
use futures_util::TryStreamExt;
use sage_core::query::{kind, Attributes, Field, Query, QueryError};
use sage_core::types::{dec, Date, DateTime};
use sage_core::ODataQuery;
use sage_sandbox::Sandbox;
use serde_json::Value;

use sage200_pro::common::DocumentStatus;
use sage200_pro::sales::Customer;
use sage200_pro::sop::SopOrder;

fn datetime(text: &str) -> DateTime {
    text.parse().unwrap()
}

#[test]
fn filters_render_as_sage_documents_them() {
    let customer = Customer::fields();
    let order = SopOrder::fields();
    // Decimals exactly, strings quoted with `'` doubled, functions as Sage writes them.
    expect!["balance gt 1000"].assert_eq(customer.balance.gt(1000).as_str());
    expect!["credit_limit le 4000.00"].assert_eq(customer.credit_limit.le(dec!(4000.00)).as_str());
    expect!["reference eq 'ACME01' or balance gt 1000"]
        .assert_eq(customer.reference.eq("ACME01").or(customer.balance.gt(1000)).as_str());
    expect!["name eq 'O''Brien & Sons'"].assert_eq(customer.name.eq("O'Brien & Sons").as_str());
    expect!["contains(name, 'X')"].assert_eq(customer.name.contains("X").as_str());
    expect!["startswith(telephone_area_code, '01')"].assert_eq(customer.telephone_area_code.starts_with("01").as_str());
    expect!["endswith(reference, 'S')"].assert_eq(customer.reference.ends_with("S").as_str());
    // Date-times in UTC with `Z`, whatever offset they were given in; fractions only when present.
    expect!["date_time_updated gt 2016-02-24T09:52:11.452Z"]
        .assert_eq(order.date_time_updated.gt(datetime("2016-02-24T09:52:11.452Z")).as_str());
    expect!["date_time_updated ge 2016-02-24T08:52:11Z"]
        .assert_eq(order.date_time_updated.ge(datetime("2016-02-24T09:52:11+01:00")).as_str());
    expect!["document_date lt 2016-02-23T00:00:00Z"]
        .assert_eq(order.document_date.lt(datetime("2016-02-23T00:00:00")).as_str());
    // Enums quoted, as their wire value.
    expect!["document_status eq 'EnumDocumentStatusLive'"]
        .assert_eq(order.document_status.eq(DocumentStatus::Live).as_str());
    // Calendar dates (Accounting's `date` fields; Sage 200 lists have date-times only).
    let invoice = sage_accounting_v31::sales::SalesInvoice::fields();
    expect!["date ge 2016-02-23"].assert_eq(invoice.date.ge(Date::from_ymd_opt(2016, 2, 23).unwrap()).as_str());
    // Brackets where precedence needs them; no `in`: `one_of` is a bracketed `or`.
    let nested = customer.balance.gt(0).or(customer.on_hold.eq(true)).and(customer.name.starts_with("A"));
    expect!["(balance gt 0 or on_hold eq true) and startswith(name, 'A')"].assert_eq(nested.as_str());
    expect!["not (balance gt 1000)"].assert_eq(customer.balance.gt(1000).not().as_str());
    expect!["not startswith(name, 'A')"].assert_eq(customer.name.starts_with("A").not().as_str());
    let one_of = customer.reference.one_of(["A1", "B2"]).unwrap().and(customer.balance.ge(1));
    expect!["(reference eq 'A1' or reference eq 'B2') and balance ge 1"].assert_eq(one_of.as_str());
}

#[test]
fn select_orderby_and_expand_with_a_nested_select() {
    let (order, customer) = (SopOrder::fields(), Customer::fields());
    let query = Query::new()
        .filter(order.document_status.eq(DocumentStatus::Live))
        .filter(order.total_net_value.gt(dec!(99.95)))
        .select(order.id)
        .select(order.document_no)
        .expand(order.lines)
        .orderby(order.document_date.desc())
        .orderby(order.id.asc())
        .top(100)
        .skip(200)
        .build()
        .unwrap();
    expect![[r#"
        ODataQuery {
            count: None,
            expand: Some(
                "lines",
            ),
            filter: Some(
                "document_status eq 'EnumDocumentStatusLive' and total_net_value gt 99.95",
            ),
            orderby: Some(
                "document_date desc,id asc",
            ),
            select: Some(
                "id,document_no",
            ),
            skip: Some(
                200,
            ),
            top: Some(
                100,
            ),
        }
    "#]]
    .assert_debug_eq(&query);
    let nested = Query::new()
        .select(customer.reference)
        .expand_select(customer.contacts, |contact| vec![contact.first_name.any(), contact.default_email.any()])
        .count(true)
        .build()
        .unwrap();
    expect!["reference,contacts.first_name,contacts.default_email"].assert_eq(nested.select.as_deref().unwrap());
    expect!["contacts"].assert_eq(nested.expand.as_deref().unwrap());
    // A filter or an attributes list is also the string the existing setters take.
    let text: String = customer.balance.gt(1000).into();
    assert_eq!(sage200_pro::sales::ListCustomers::new().filter(text.clone()).odata, ODataQuery::new().filter(text));
}

#[test]
fn what_sage_cannot_answer_is_refused_before_sending() {
    let customer = Customer::fields();
    assert_eq!(Query::<Customer>::new().top(5001).build(), Err(QueryError::Top(5001)));
    assert!(Query::<Customer>::new().top(5000).build().is_ok());
    assert_eq!(Query::<Customer>::new().skip(10).build(), Err(QueryError::SkipWithoutOrderBy));
    assert_eq!(Query::<Customer>::new().skip(-1).orderby(customer.id.asc()).build(), Err(QueryError::Skip(-1)));
    assert!(Query::new().skip(10).orderby(customer.name.asc()).build().is_ok());
    // String queries are checked the same way.
    assert_eq!(ODataQuery::new().skip(5).check(), Err(QueryError::SkipWithoutOrderBy));
    assert_eq!(ODataQuery::new().top(6000).check(), Err(QueryError::Top(6000)));
    expect!["$skip needs $orderby: Sage 200 ignores $skip without an order"]
        .assert_eq(&QueryError::SkipWithoutOrderBy.to_string());
    // Decided by the types (these do not compile): `customer.balance.gt(12.5f64)` (decimals are
    // exact), `customer.name.gt(3)`, `customer.on_hold.gt(true)` (no order on booleans),
    // `SopOrder::fields().document_status.eq("Live")` (an enum compares with its enum), a field of
    // another model in `Query::<Customer>`, and there is no `in`.
    let _typed: Field<Customer, kind::Decimal> = customer.balance;
}

fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

#[tokio::test]
async fn the_sandbox_answers_typed_filters_on_sage200_customers() {
    use sage200_pro::sales::ListCustomers;
    let sandbox = Sandbox::builder().auto_approve(true).start().await.unwrap();
    let client = sandbox.sign_in("sage200-pro").await.unwrap().client(sage200_pro::PRODUCT).unwrap();
    let all: Vec<Customer> = ListCustomers::new().items(&client).try_collect().await.unwrap();
    let f = Customer::fields();

    let rich = Query::new().filter(f.balance.gt(1000)).orderby(f.reference.asc()).build().unwrap();
    let found: Vec<Customer> = ListCustomers::new().odata(rich).items(&client).try_collect().await.unwrap();
    let expected: Vec<Value> = all
        .iter()
        .filter(|c| c.balance.is_some_and(|balance| balance > dec!(1000)))
        .map(|c| json(&c.reference))
        .collect();
    assert!(!expected.is_empty(), "the seeded data has customers above 1000");
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_by_key(|reference| reference.to_string());
    assert_eq!(found.iter().map(|c| json(&c.reference)).collect::<Vec<_>>(), expected_sorted);

    let abs = ListCustomers::new().filter(f.reference.eq("ABS001")).send(&client).await.unwrap();
    assert_eq!(json(&abs.items[0].balance), json(&Some(dec!(2464.16))));
}

/// The issue's example: `balance gt 1000 and startswith(name, 'A')`.
#[tokio::test]
async fn the_sandbox_answers_startswith_on_sage200_customers() {
    use sage200_pro::sales::ListCustomers;
    let sandbox = Sandbox::builder().auto_approve(true).start().await.unwrap();
    let client = sandbox.sign_in("sage200-pro").await.unwrap().client(sage200_pro::PRODUCT).unwrap();
    let all: Vec<Customer> = ListCustomers::new().items(&client).try_collect().await.unwrap();
    let f = Customer::fields();
    let filter = f.balance.gt(1000).and(f.name.starts_with("A"));
    let found = ListCustomers::new().filter(filter).send(&client).await.unwrap();
    let expected: Vec<Value> = all
        .iter()
        .filter(|c| c.balance.is_some_and(|balance| balance > dec!(1000)))
        .filter(|c| json(&c.name).as_str().is_some_and(|name| name.starts_with('A')))
        .map(|c| json(&c.reference))
        .collect();
    assert!(!expected.is_empty(), "ABS Garages Ltd has a balance of 2464.16");
    assert_eq!(found.items.iter().map(|c| json(&c.reference)).collect::<Vec<_>>(), expected);
}

#[tokio::test]
async fn a_v31_list_takes_typed_attributes() {
    use sage_accounting_v31::common::Contact;
    use sage_accounting_v31::contacts::ListContacts;
    let sandbox = Sandbox::builder().auto_approve(true).start().await.unwrap();
    let client = sandbox.sign_in("accounting-v31").await.unwrap().client(sage_accounting_v31::PRODUCT).unwrap();
    let f = Contact::fields();
    let attributes = Attributes::of([f.name.any(), f.balance.any()]);
    assert_eq!(attributes.to_string(), "name,balance");
    let page = ListContacts::new().attributes(attributes).items_per_page(5).send(&client).await.unwrap();
    assert!(!page.items.is_empty());
    for contact in &page.items {
        let body = json(contact);
        assert!(body["name"].is_string(), "name was asked for: {body}");
        assert!(!body["balance"].is_null(), "balance was asked for: {body}");
        assert!(body["email"].is_null(), "email was not asked for: {body}");
    }
    assert_eq!(Attributes::<Contact>::all().to_string(), "all");
}
