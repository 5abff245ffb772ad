//! The README's "Typed queries": Sage 200 customers filtered, sorted and trimmed through generated
//! field paths, and a v3.1 list with typed `attributes`, against the embedded sandbox.

// README start
use sage::core::query::{Attributes, Query};
use sage::sage200_pro::sales::{Customer, ListCustomers};
use sage::{accounting_v31::common::Contact, accounting_v31::contacts::ListContacts, sandbox::Sandbox, types::dec};

async fn typed_queries() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().auto_approve(true).start().await?;
    let sage200 = sandbox.sign_in("sage200-pro").await?.client(sage::sage200_pro::PRODUCT)?;
    let f = Customer::fields(); // one typed path per field: `f.balance` compares only with decimals
    let query = Query::new()
        .filter(f.balance.gt(dec!(1000)).and(f.name.starts_with("A"))) // balance gt 1000 and startswith(name, 'A')
        .select(f.reference)
        .select(f.balance)
        .orderby(f.balance.desc())
        .top(50) // more than 5000, or a skip without an order, is refused by `build`
        .build()?;
    for customer in ListCustomers::new().odata(query).send(&sage200).await?.items {
        println!("{} {:?}", customer.reference, customer.balance);
    }

    let v31 = sandbox.sign_in("accounting-v31").await?.client(sage::accounting_v31::PRODUCT)?;
    let c = Contact::fields();
    let attributes = Attributes::of([c.name.any(), c.balance.any()]); // attributes=name,balance
    let contacts = ListContacts::new().attributes(attributes).send(&v31).await?;
    println!("{} contacts", contacts.items.len());
    Ok(())
}
// README end

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    typed_queries().await
}
