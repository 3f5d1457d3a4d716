//! Sends the outbox. A worker on every replica takes the due emails (never the same as another
//! replica's), sends them over SMTP when `SMTP_URL` is set or writes them as `.eml` files into
//! `MAIL_DIR` otherwise, and marks them sent; a failed try is retried with backoff.

use std::{path::Path, time::Duration};

use app::{
    domain::{
        claims::{self, ClaimNotice},
        clock,
        outbox::{self, Retry},
    },
    emails::{self, Contact, Email},
};
use entity::outbox as row;
use lettre::{
    Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::watch;

use crate::{config::Config, startup::StartError};

/// How long a taken batch is reserved for the worker that took it: longer than sending all of
/// it can take with the SMTP timeout below. A worker that dies (or loses the database)
/// mid-batch delays what it had not sent by at most this; another replica then sends them,
/// with the same Message-IDs.
const LEASE_SECS: i64 = 60;
/// Emails taken at once: their claims are read in a few queries for the whole batch, where
/// one at a time cost six statements an email. Each is marked sent as soon as it is, so a
/// worker that dies sends at most the one in flight twice.
const BATCH: u64 = 8;
/// Shorter than a stopping replica waits for the email being sent (`startup::FINISH_TIMEOUT`).
const SMTP_TIMEOUT: Duration = Duration::from_secs(5);
const _: () = assert!(BATCH * SMTP_TIMEOUT.as_secs() < LEASE_SECS as u64);

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Why a try failed: worth retrying, or never going to work; or why it was not made (a
/// reminder for a claim already given back).
enum Failure {
    Transient(String),
    Permanent(String),
    NotNeeded(&'static str),
}

pub struct Mailer {
    db: DatabaseConnection,
    transport: Transport,
    from: Mailbox,
    public_url: String,
    poll: Duration,
}

impl Mailer {
    pub fn new(config: &Config, db: DatabaseConnection) -> Result<Self, StartError> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| format!("MAIL_FROM: {e}"))?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("SMTP_URL: {e}"))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => {
                if config.production {
                    tracing::warn!(
                        "PRODUCTION is set but SMTP_URL is not: no email will leave this machine"
                    );
                }
                Transport::Files(AsyncFileTransport::new(mail_dir(&config.mail_dir)?))
            }
        };
        Ok(Self {
            db,
            transport,
            from,
            public_url: config.public_url.clone(),
            poll: Duration::from_millis(config.mail_poll_interval_ms),
        })
    }

    /// Sends what is due, then again every poll interval, until `stop` turns true; an email
    /// being sent is always finished (and recorded) first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.send_due(&stop).await {
                tracing::warn!("outbox: cannot read the queue: {e}");
            }
            tokio::select! {
                Ok(()) = stop.changed() => {}
                () = tokio::time::sleep(self.poll) => {}
            }
            if *stop.borrow() {
                return;
            }
        }
    }

    /// Sends every email that is due now, batch after batch until none is left or `stop`
    /// turns true.
    async fn send_due(&self, stop: &watch::Receiver<bool>) -> Result<(), DbErr> {
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            let lease = chrono::Duration::seconds(LEASE_SECS);
            let batch = outbox::take_due(&self.db, clock::now(), lease, BATCH).await?;
            if batch.is_empty() {
                return Ok(());
            }
            let notices = claims::notices(&self.db, &batch, clock::now())
                .await
                .map_err(|e| format!("cannot read the claims: {e}"));
            for (i, email) in batch.iter().enumerate() {
                if *stop.borrow() {
                    let untried = batch[i..].iter().map(|email| email.id);
                    return outbox::release(&self.db, untried, clock::now()).await;
                }
                let sent = match &notices {
                    Ok(notices) => match notices.get(&email.id) {
                        Some(notice) => self.send(email, notice).await,
                        None => Err(Failure::Permanent("the claim is gone".to_owned())),
                    },
                    Err(why) => Err(Failure::Transient(why.clone())),
                };
                match sent {
                    Ok(()) => outbox::mark_sent(&self.db, email.id, clock::now()).await?,
                    Err(Failure::Transient(why)) => {
                        match outbox::retry_later(&self.db, email, clock::now(), &why).await? {
                            Retry::At(at) => tracing::warn!(
                                id = email.id,
                                attempts = email.attempts,
                                "email not sent, will retry at {at}: {why}"
                            ),
                            Retry::GaveUp => tracing::error!(
                                id = email.id,
                                attempts = email.attempts,
                                "email abandoned after {} hours of failures: {why}",
                                outbox::GIVE_UP_AFTER_HOURS
                            ),
                        }
                    }
                    Err(Failure::Permanent(why)) => {
                        tracing::error!(id = email.id, "email abandoned: {why}");
                        outbox::abandon(&self.db, email.id, &why).await?;
                    }
                    Err(Failure::NotNeeded(why)) => {
                        tracing::info!(
                            id = email.id,
                            kind = email.kind.as_str(),
                            "email not sent: {why}"
                        );
                        outbox::abandon(&self.db, email.id, &format!("not needed: {why}")).await?;
                    }
                }
            }
        }
    }

    async fn send(&self, email: &row::Model, notice: &ClaimNotice) -> Result<(), Failure> {
        if !notice.still_needed(email.kind) {
            return Err(Failure::NotNeeded("what became of the claim is recorded"));
        }
        let message = self
            .message(
                emails::claim_email(notice, email.kind, &self.public_url),
                email.id,
            )
            .map_err(Failure::Permanent)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| {
                if e.is_permanent() {
                    Failure::Permanent(e.to_string())
                } else {
                    Failure::Transient(e.to_string())
                }
            }),
            Transport::Files(files) => files
                .send(message)
                .await
                .map(drop)
                .map_err(|e| Failure::Transient(e.to_string())),
        }
    }

    /// The email as sent. Its Message-ID comes from the outbox row, so a retry after a worker
    /// died mid-send carries the same one and mail clients show a single message.
    fn message(&self, email: Email, id: i64) -> Result<Message, String> {
        let mailbox = |contact: Contact| -> Result<Mailbox, String> {
            let address: Address = contact
                .email
                .parse()
                .map_err(|e| format!("bad address {}: {e}", contact.email))?;
            Ok(Mailbox::new(Some(contact.name), address))
        };
        Message::builder()
            .from(self.from.clone())
            .to(mailbox(email.to)?)
            .reply_to(mailbox(email.reply_to)?)
            .subject(email.subject)
            .message_id(Some(format!("<outbox-{id}@{}>", self.from.email.domain())))
            .multipart(MultiPart::alternative_plain_html(email.text, email.html))
            .map_err(|e| e.to_string())
    }
}

/// Creates the folder the `.eml` files go to and says where it is.
fn mail_dir(dir: &Path) -> Result<std::path::PathBuf, StartError> {
    std::fs::create_dir_all(dir).map_err(|e| format!("MAIL_DIR {}: {e}", dir.display()))?;
    let dir = std::path::absolute(dir)?;
    tracing::info!(
        "SMTP_URL is not set: emails are written to {}",
        dir.display()
    );
    Ok(dir)
}
