//! What a response says besides its body: status, request id and, on Accounting v3.1, the
//! business that served it.

use http::header::HeaderMap;

/// Where Sage puts a request id, most specific first.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "request-id", "x-correlation-id"];
use tokio::sync::watch;

/// A decoded response together with its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// Status, request id, business.
    pub metadata: ResponseMetadata,
}

/// Facts about a response that are not part of its body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseMetadata {
    /// HTTP status.
    pub status: u16,
    /// The request id Sage assigned, when it sent one.
    pub request_id: Option<String>,
    /// Accounting v3.1: the business that served the call (response `X-Business` header).
    pub business: Option<String>,
    /// Set when this call revealed that the user's lead business changed.
    pub lead_change: Option<LeadBusinessChange>,
}

impl ResponseMetadata {
    pub(crate) fn from_headers(status: u16, headers: &HeaderMap) -> Self {
        // One pass over the few headers a response has, rather than a hashed lookup per name.
        let (mut request_id, mut request_id_rank, mut business) = (None, usize::MAX, None);
        // A value is read as text only when its header is one kept here.
        for (name, value) in headers {
            if let Some(rank) = REQUEST_ID_HEADERS.iter().position(|candidate| name == candidate) {
                if rank < request_id_rank {
                    if let Ok(text) = value.to_str() {
                        (request_id, request_id_rank) = (Some(text), rank);
                    }
                }
            } else if name == "x-business" {
                business = value.to_str().ok().or(business);
            }
        }
        Self {
            status,
            request_id: request_id.map(str::to_owned),
            business: business.map(str::to_owned),
            lead_change: None,
        }
    }
}

/// The lead business of an Accounting v3.1 user changed between two calls.
///
/// Calls without `X-Business` address the lead business; when it changes, data the program
/// cached for the old one no longer matches what the API returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadBusinessChange {
    /// The lead business seen before.
    pub previous: String,
    /// The lead business now.
    pub current: String,
}

/// Remembers the lead business seen on calls that did not choose a business.
#[derive(Debug)]
pub(crate) struct LeadTracker {
    lead: watch::Sender<Option<String>>,
}

impl LeadTracker {
    pub(crate) fn new() -> Self {
        Self { lead: watch::Sender::new(None) }
    }

    /// Records the business that served a lead-addressed call; reports a change.
    pub(crate) fn observe(&self, business: &str) -> Option<LeadBusinessChange> {
        let mut change = None;
        self.lead.send_if_modified(|lead| match lead {
            Some(previous) if previous == business => false,
            Some(previous) => {
                change = Some(LeadBusinessChange { previous: previous.clone(), current: business.to_owned() });
                *lead = Some(business.to_owned());
                true
            }
            None => {
                *lead = Some(business.to_owned());
                true
            }
        });
        change
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<Option<String>> {
        self.lead.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn reports_a_change_only_when_the_lead_differs() {
        let tracker = LeadTracker::new();
        let mut watcher = tracker.subscribe();
        assert_eq!(tracker.observe("b1"), None, "the first sighting is not a change");
        assert_eq!(tracker.observe("b1"), None);
        let change = tracker.observe("b2").unwrap();
        assert_eq!((change.previous.as_str(), change.current.as_str()), ("b1", "b2"));
        assert!(watcher.has_changed().unwrap());
        assert_eq!(watcher.borrow_and_update().as_deref(), Some("b2"));
    }

    #[test]
    fn metadata_reads_business_and_request_id() {
        let mut headers = HeaderMap::new();
        headers.insert("x-business", "b9".parse().unwrap());
        headers.insert("x-request-id", "r1".parse().unwrap());
        let metadata = ResponseMetadata::from_headers(200, &headers);
        assert_eq!((metadata.business.as_deref(), metadata.request_id.as_deref()), (Some("b9"), Some("r1")));
    }

    #[test]
    fn the_most_specific_request_id_wins_whatever_the_order() {
        let mut headers = HeaderMap::new();
        headers.insert("x-correlation-id", "c1".parse().unwrap());
        headers.insert("request-id", "r2".parse().unwrap());
        assert_eq!(ResponseMetadata::from_headers(200, &headers).request_id.as_deref(), Some("r2"));
        headers.insert("x-request-id", "r1".parse().unwrap());
        assert_eq!(ResponseMetadata::from_headers(200, &headers).request_id.as_deref(), Some("r1"));
        assert_eq!(
            ResponseMetadata::from_headers(200, &HeaderMap::new()),
            ResponseMetadata { status: 200, ..Default::default() }
        );
    }

    #[test]
    fn values_that_are_not_text_are_passed_over() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_bytes(b"r\xff1").unwrap());
        headers.insert("request-id", "r2".parse().unwrap());
        headers.insert("x-business", HeaderValue::from_bytes(b"b\xff9").unwrap());
        let metadata = ResponseMetadata::from_headers(200, &headers);
        assert_eq!((metadata.request_id.as_deref(), metadata.business), (Some("r2"), None));
    }
}
