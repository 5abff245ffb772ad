//! A connection's life after the connect flow: [`Connections::check`], [`Connections::disconnect`]
//! and its [`Connections::audit`] trail.

use chrono::Utc;
use sage_core::auth::Authenticate;

use crate::connection::{Connection, Status};
use crate::error::Error;
use crate::event::{AuditRecord, Event};
use crate::manager::Connections;

impl Connections {
    /// Checks that a connection works now: gets a valid access token (refreshing it if due, with
    /// the same single-flight and backoff rules as calls) and returns the connection as stored
    /// afterwards. A refresh Sage refuses marks it `needs_relink`, as a call would, and is
    /// [`Error::NeedsRelink`]; a disconnected one is [`Error::Disconnected`]; a transient failure
    /// is [`Error::Auth`] and leaves the status `active`.
    pub async fn check(&self, id: &str) -> Result<Connection, Error> {
        self.get_active(id).await?;
        let auth = self.auth(id).await?;
        auth.access_token().await.map_err(Error::from_auth)?;
        self.get(id).await
    }

    /// Disconnects a connection for good, on the app's side and, where the product allows it, at
    /// Sage: marks it [`Status::Disconnected`], revokes its refresh token (best effort: a failed or
    /// impossible revocation is noted in the audit record, not returned), deletes its tokens,
    /// appends an audit record with `by`, `why` and the time, emits [`Event::Disconnected`] and
    /// forgets its cached client. Clients already handed out by this process fail at once with
    /// [`AuthError::ConnectionDisconnected`](sage_core::auth::AuthError::ConnectionDisconnected);
    /// those of other processes at their next token refresh, which finds no tokens (or sooner,
    /// where Sage's revocation kills the access tokens too). A later connect flow makes it active
    /// again, for clients already handed out too.
    /// Disconnecting a disconnected connection deletes any tokens left and records nothing new.
    pub async fn disconnect(&self, id: &str, by: &str, why: &str) -> Result<Connection, Error> {
        let before = self.get(id).await?;
        let update = Box::new(|connection: &mut Connection| {
            let active = connection.status != Status::Disconnected;
            connection.status = Status::Disconnected;
            active
        });
        let connection = self.inner.registry.update(id, update).await?.ok_or_else(|| Error::NotFound(id.to_owned()))?;
        self.block_clients(id);
        let (revoked, detail) = self.revoke_and_delete(&connection).await?;
        if before.status == Status::Disconnected {
            return Ok(connection);
        }
        let at = Utc::now();
        let mut record = AuditRecord::new(id, "disconnected", at);
        record.by = Some(by.to_owned());
        record.why = Some(why.to_owned());
        record.detail = Some(detail);
        self.inner.registry.append_audit(&record).await?;
        tracing::info!(connection = %id, %by, revoked, "connection disconnected");
        self.inner.events.emit(Event::Disconnected {
            connection_id: id.to_owned(),
            product: connection.product.clone(),
            at,
            by: by.to_owned(),
            why: why.to_owned(),
            revoked,
        });
        Ok(connection)
    }

    /// A connection's audit trail, oldest first: `connected`, `needs_relink`, `recovered`,
    /// `disconnected`, … It outlives a disconnect.
    pub async fn audit(&self, id: &str) -> Result<Vec<AuditRecord>, Error> {
        let records = self.inner.registry.audit(id).await?;
        if records.is_empty() && self.inner.registry.get(id).await?.is_none() {
            return Err(Error::NotFound(id.to_owned()));
        }
        Ok(records)
    }

    /// Revokes the refresh token under the refresh lock (so no refresh rotates it meanwhile) and
    /// deletes the tokens. Returns whether Sage confirmed the revocation, and what to audit.
    async fn revoke_and_delete(&self, connection: &Connection) -> Result<(bool, String), Error> {
        let store = self.inner.registry.token_store(&connection.id, connection.api);
        let lease = match store.lock_for_refresh().await {
            Ok(lease) => Some(lease),
            Err(err) => {
                tracing::warn!(connection = %connection.id, error = %err, "disconnecting without the refresh lock");
                None
            }
        };
        let outcome = self.revoke(connection, store.as_ref()).await;
        let cleared = store.clear().await;
        if let Some(lease) = lease {
            lease.release().await;
        }
        cleared?;
        Ok(outcome)
    }

    async fn revoke(&self, connection: &Connection, store: &dyn sage_core::auth::TokenStore) -> (bool, String) {
        let tokens = match store.load().await {
            Ok(Some(tokens)) => tokens,
            Ok(None) => return (false, "no tokens were stored: nothing to revoke".into()),
            Err(err) => return (false, format!("the tokens could not be read to revoke them: {err}")),
        };
        let Some(refresh) = tokens.refresh_token() else {
            return (false, "no refresh token was stored: nothing to revoke; tokens deleted".into());
        };
        let oauth = match self
            .config(&connection.product)
            .and_then(|config| self.oauth(config, connection.region, &connection.redirect_uri))
        {
            Ok(oauth) => oauth,
            Err(err) => return (false, format!("not revoked ({err}); tokens deleted")),
        };
        if oauth.profile().revoke_url().is_none() {
            return (false, format!("{} has no revocation endpoint: tokens deleted only", connection.product));
        }
        match oauth.revoke(refresh).await {
            Ok(()) => (true, "refresh token revoked at Sage; tokens deleted".into()),
            Err(err) => {
                tracing::warn!(connection = %connection.id, error = %err, "the revocation failed; the tokens are deleted anyway");
                (false, format!("revocation failed ({err}); tokens deleted"))
            }
        }
    }
}
