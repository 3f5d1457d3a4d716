//! The emails FoodBridge sends, written in the recipient's language: plain text, and simple
//! HTML rendered by Leptos, so every value (names, items, addresses) is escaped.

use leptos::prelude::*;

use entity::codes::EmailKind;

use crate::{
    domain::claims::ClaimNotice, dto::short_datetime, i18n::*, labels::quantity_label,
    locale::locale_of,
};

/// Someone an email is from, to or answered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

/// One email, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: Contact,
    /// The other side of the pickup, so a reply reaches them directly.
    pub reply_to: Contact,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The email of `kind` about a claim, in its recipient's language: to the client (the
/// confirmation, the reminder) with the business's contact details, to the business (the
/// claim, the cancellation, the question whether it was collected) with the client's, or to a
/// client who waited for the listing.
pub fn claim_email(notice: &ClaimNotice, kind: EmailKind, public_url: &str) -> Email {
    let claim = &notice.claim;
    let client = Contact {
        name: notice.client.contact_name.clone(),
        email: notice.client.email.clone(),
    };
    let business = Contact {
        name: claim.business_name.clone(),
        email: claim.business_email.clone(),
    };
    let site = public_url.trim_end_matches('/');
    let item = &claim.item_name;
    let collect_before = short_datetime(claim.available_until);

    let (to, reply_to, locale) = match kind {
        EmailKind::ClaimToClient | EmailKind::ReminderToClient => {
            (client, business, locale_of(notice.client_language))
        }
        EmailKind::ClaimToBusiness
        | EmailKind::CancelToBusiness
        | EmailKind::FollowUpToBusiness => (business, client, locale_of(notice.business_language)),
        EmailKind::ReopenToWaiting => {
            let (to, language) = match &notice.recipient {
                Some(r) => (
                    Contact {
                        name: r.name.clone(),
                        email: r.email.clone(),
                    },
                    r.language,
                ),
                None => (client, notice.client_language),
            };
            (to, business, locale_of(language))
        }
    };
    let quantity = quantity_label(locale, claim.quantity, claim.unit);
    // The business's details, for whoever collects; the client's, for the business.
    let business_rows = || {
        let mut rows = vec![
            (
                td_string!(locale, field_business_name),
                claim.business_name.clone(),
            ),
            (
                td_string!(locale, field_pickup_location),
                claim.pickup_location.clone(),
            ),
        ];
        if let Some(from) = claim.pickup_from {
            rows.push((td_string!(locale, email_pickup_from), short_datetime(from)));
        }
        rows.extend([
            (td_string!(locale, collect_before), collect_before.clone()),
            (
                td_string!(locale, field_phone),
                claim.business_phone.clone(),
            ),
            (
                td_string!(locale, field_email),
                claim.business_email.clone(),
            ),
        ]);
        rows
    };
    let client_rows = || {
        vec![
            (
                td_string!(locale, field_contact_name),
                notice.client.contact_name.clone(),
            ),
            (td_string!(locale, field_phone), notice.client.phone.clone()),
            (td_string!(locale, field_email), notice.client.email.clone()),
            (
                td_string!(locale, claimed_at),
                short_datetime(notice.client.claimed_at),
            ),
            (td_string!(locale, collect_before), collect_before.clone()),
            (
                td_string!(locale, field_pickup_location),
                claim.pickup_location.clone(),
            ),
        ]
    };
    let client_name = &notice.client.contact_name;
    let business_name = &claim.business_name;
    let my_claims = (td_string!(locale, nav_claims), format!("{site}/claims"));
    let dashboard = (td_string!(locale, nav_business), format!("{site}/business"));
    let (subject, intro, rows, link) = match kind {
        EmailKind::ClaimToClient => (
            td_string!(locale, email_client_subject, item = item),
            td_string!(
                locale,
                email_client_intro,
                item = item,
                quantity = &quantity,
                business = business_name
            ),
            business_rows(),
            my_claims,
        ),
        EmailKind::ReminderToClient => (
            td_string!(
                locale,
                email_reminder_subject,
                item = item,
                time = &collect_before
            ),
            td_string!(
                locale,
                email_reminder_intro,
                item = item,
                quantity = &quantity,
                business = business_name,
                time = &collect_before
            ),
            business_rows(),
            my_claims,
        ),
        EmailKind::ClaimToBusiness => (
            td_string!(
                locale,
                email_business_subject,
                client = client_name,
                item = item
            ),
            td_string!(
                locale,
                email_business_intro,
                client = client_name,
                item = item,
                quantity = &quantity
            ),
            client_rows(),
            dashboard,
        ),
        EmailKind::CancelToBusiness => {
            let mut rows = client_rows();
            if let Some(outcome) = notice.claim.outcome {
                let at = short_datetime(outcome.at);
                let at = if outcome.late {
                    td_string!(locale, email_cancelled_late, time = &at)
                } else {
                    at
                };
                rows.insert(4, (td_string!(locale, cancelled_at), at));
            }
            (
                td_string!(
                    locale,
                    email_cancel_subject,
                    client = client_name,
                    item = item
                ),
                td_string!(
                    locale,
                    email_cancel_intro,
                    client = client_name,
                    item = item,
                    quantity = &quantity,
                    time = &collect_before
                ),
                rows,
                dashboard,
            )
        }
        EmailKind::FollowUpToBusiness => (
            td_string!(locale, email_follow_up_subject, item = item),
            td_string!(
                locale,
                email_follow_up_intro,
                client = client_name,
                item = item,
                quantity = &quantity
            ),
            client_rows(),
            dashboard,
        ),
        EmailKind::ReopenToWaiting => (
            td_string!(locale, email_reopen_subject, item = item),
            td_string!(
                locale,
                email_reopen_intro,
                item = item,
                quantity = &quantity,
                business = business_name
            ),
            business_rows(),
            (
                td_string!(locale, email_see_listing),
                format!("{site}/listings/{}", claim.listing_id),
            ),
        ),
    };
    let letter = Letter {
        locale,
        greeting: td_string!(locale, email_greeting, name = &to.name),
        intro,
        rows,
        link,
    };
    Email {
        to,
        reply_to,
        subject,
        text: letter.text(),
        html: letter.html(),
    }
}

/// What every email says, in order: a greeting, one sentence, the details as label and value,
/// a link back to the site.
struct Letter {
    locale: Locale,
    greeting: String,
    intro: String,
    rows: Vec<(&'static str, String)>,
    link: (&'static str, String),
}

impl Letter {
    fn text(&self) -> String {
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|(label, value)| format!("{label}: {value}"))
            .collect();
        format!(
            "{}\n\n{}\n\n{}\n{}\n\n{}: {}\n\n-- \n{}\n",
            self.greeting,
            self.intro,
            rows.join("\n"),
            td_string!(self.locale, email_times),
            self.link.0,
            self.link.1,
            td_string!(self.locale, email_signature),
        )
    }

    fn html(&self) -> String {
        let Letter {
            locale,
            greeting,
            intro,
            rows,
            link: (link_label, link),
        } = self;
        let rows = rows
            .iter()
            .map(|(label, value)| {
                view! {
                    <tr>
                        <th style="text-align:left;padding:2px 16px 2px 0">{*label}</th>
                        <td>{value.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        let body = view! {
            <html lang=locale.as_str()>
                <head>
                    <meta charset="utf-8" />
                </head>
                <body style="font-family:Arial,Helvetica,sans-serif;color:#1f2937;line-height:1.5">
                    <p>{greeting.clone()}</p>
                    <p>{intro.clone()}</p>
                    <table role="presentation">{rows}</table>
                    <p style="color:#4b5563">{td_string!(*locale, email_times)}</p>
                    <p>
                        <a href=link.clone()>{*link_label}</a>
                    </p>
                    <p style="color:#4b5563">{td_string!(*locale, email_signature)}</p>
                </body>
            </html>
        };
        // Leptos marks text and list boundaries with `<!>` comments for hydration; an email
        // is never hydrated. Values are escaped, so `<!>` can only be such a marker.
        format!("<!DOCTYPE html>\n{}", body.to_html().replace("<!>", ""))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::{
        domain::claims::Recipient,
        dto::{ClaimView, Claimant, Language, Outcome, OutcomeView, Unit},
    };

    fn notice(client_language: Language, business_language: Language) -> ClaimNotice {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 11, 22, h, m, 0).unwrap();
        ClaimNotice {
            claim: ClaimView {
                claim_id: 7,
                claimed_at: at(15, 5),
                listing_id: 3,
                item_name: "Pain <complet> & co".into(),
                quantity: 12.0,
                unit: Unit::Loaves,
                pickup_from: None,
                available_until: at(18, 30),
                business_name: "Boulangerie du Coin".into(),
                pickup_location: "Rue Joss, Akwa, Douala".into(),
                business_phone: "+237677123456".into(),
                business_email: "bakery@example.cm".into(),
                thumbnail: None,
                outcome: None,
                checked_at: at(15, 5),
            },
            client: Claimant {
                claim_id: 7,
                contact_name: "Amina".into(),
                phone: "+237699000000".into(),
                email: "amina@example.cm".into(),
                claimed_at: at(15, 5),
                outcome: None,
                reliability: Default::default(),
                checked_at: at(15, 5),
            },
            client_language,
            business_language,
            recipient: None,
        }
    }

    #[test]
    fn the_client_gets_the_business_contact_details_in_their_language() {
        let email = claim_email(
            &notice(Language::En, Language::Fr),
            EmailKind::ClaimToClient,
            "https://foodbridge.cm/",
        );
        assert_eq!(email.to.email, "amina@example.cm");
        assert_eq!(email.reply_to.email, "bakery@example.cm");
        assert_eq!(email.subject, "Claim confirmed: Pain <complet> & co");
        says(
            &email,
            &[
                "Hello Amina,",
                "You claimed Pain <complet> & co (12 loaves) from Boulangerie du Coin.",
                "Pickup location: Rue Joss, Akwa, Douala",
                "Collect before: 22/11 19:30",
                "Phone: +237677123456",
                "Email: bakery@example.cm",
                "My claims: https://foodbridge.cm/claims",
            ],
        );
        assert!(
            !email.text.contains("Pickup from"),
            "no pickup start was set"
        );
        assert!(email.html.contains(r#"<html lang="en">"#), "{}", email.html);
        assert!(email.html.contains("Pain &lt;complet&gt; &amp; co"));
        assert!(!email.html.contains("<complet>"), "escaped: {}", email.html);
        assert!(
            !email.html.contains("<!>"),
            "no hydration markers: {}",
            email.html
        );
        assert!(
            email
                .html
                .contains(r#"<a href="https://foodbridge.cm/claims">"#)
        );
    }

    #[test]
    fn the_business_gets_the_client_contact_details_in_its_language() {
        let mut notice = notice(Language::En, Language::Fr);
        notice.claim.pickup_from = Some(Utc.with_ymd_and_hms(2026, 11, 22, 16, 0, 0).unwrap());
        let email = claim_email(&notice, EmailKind::ClaimToBusiness, "https://foodbridge.cm");
        assert_eq!(email.to.email, "bakery@example.cm");
        assert_eq!(email.reply_to.email, "amina@example.cm");
        assert_eq!(email.subject, "Amina a réservé Pain <complet> & co");
        says(
            &email,
            &[
                "Bonjour Boulangerie du Coin,",
                "Amina a réservé Pain <complet> & co (12 pains).",
                "Téléphone: +237699000000",
                "E-mail: amina@example.cm",
                "Réservée le: 22/11 16:05",
                "À récupérer avant: 22/11 19:30",
                "Mon commerce: https://foodbridge.cm/business",
            ],
        );
        assert!(email.html.contains(r#"<html lang="fr">"#));

        // The client's confirmation names the pickup start once there is one.
        let email = claim_email(&notice, EmailKind::ClaimToClient, "https://foodbridge.cm");
        assert!(
            email.text.contains("Pickup from: 22/11 17:00"),
            "{}",
            email.text
        );
    }

    /// Every line of `lines` is in the email's text.
    fn says(email: &Email, lines: &[&str]) {
        for line in lines {
            assert!(email.text.contains(line), "{line:?} not in\n{}", email.text);
        }
    }

    #[test]
    fn the_client_is_reminded_before_the_deadline_with_how_to_cancel() {
        let email = claim_email(
            &notice(Language::Fr, Language::En),
            EmailKind::ReminderToClient,
            "https://foodbridge.cm",
        );
        assert_eq!(email.to.email, "amina@example.cm");
        assert_eq!(email.reply_to.email, "bakery@example.cm");
        assert_eq!(
            email.subject,
            "Rappel : récupérez Pain <complet> & co avant 22/11 19:30"
        );
        says(
            &email,
            &[
                "Bonjour Amina,",
                "chez Boulangerie du Coin se termine à 22/11 19:30",
                "annulez-la dans Mes réservations",
                "Téléphone: +237677123456",
                "Mes réservations: https://foodbridge.cm/claims",
            ],
        );
    }

    #[test]
    fn the_business_is_told_of_a_cancel_and_whether_it_was_late() {
        let mut notice = notice(Language::Fr, Language::En);
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 17, 50, 0).unwrap();
        notice.claim.outcome = Some(OutcomeView {
            outcome: Outcome::Cancelled,
            late: true,
            at,
        });
        let email = claim_email(
            &notice,
            EmailKind::CancelToBusiness,
            "https://foodbridge.cm",
        );
        assert_eq!(email.to.email, "bakery@example.cm");
        assert_eq!(email.reply_to.email, "amina@example.cm");
        assert_eq!(email.subject, "Amina gave back Pain <complet> & co");
        says(
            &email,
            &[
                "Hello Boulangerie du Coin,",
                "Amina cancelled their claim on Pain <complet> & co (12 loaves). It is available again to other clients until 22/11 19:30.",
                "Cancelled at: 22/11 18:50 (late: less than an hour before the deadline)",
                "Phone: +237699000000",
                "My business: https://foodbridge.cm/business",
            ],
        );

        notice.claim.outcome = Some(OutcomeView {
            outcome: Outcome::Cancelled,
            late: false,
            at: at - chrono::Duration::hours(2),
        });
        let email = claim_email(
            &notice,
            EmailKind::CancelToBusiness,
            "https://foodbridge.cm",
        );
        says(&email, &["Cancelled at: 22/11 16:50\n"]);
    }

    #[test]
    fn the_business_is_asked_after_the_deadline_whether_it_was_collected() {
        let email = claim_email(
            &notice(Language::En, Language::Fr),
            EmailKind::FollowUpToBusiness,
            "https://foodbridge.cm",
        );
        assert_eq!(email.to.email, "bakery@example.cm");
        assert_eq!(email.subject, "Pain <complet> & co a-t-il été récupéré ?");
        says(
            &email,
            &[
                "Bonjour Boulangerie du Coin,",
                "réservé par Amina, est passé",
                "Mon commerce: https://foodbridge.cm/business",
            ],
        );
    }

    #[test]
    fn a_waiting_client_is_told_in_their_own_language_with_a_link_to_the_listing() {
        let mut notice = notice(Language::En, Language::En);
        notice.recipient = Some(Recipient {
            name: "Paul".into(),
            email: "paul@example.cm".into(),
            language: Language::Fr,
        });
        let email = claim_email(&notice, EmailKind::ReopenToWaiting, "https://foodbridge.cm");
        assert_eq!(email.to.email, "paul@example.cm");
        assert_eq!(email.reply_to.email, "bakery@example.cm");
        assert_eq!(
            email.subject,
            "Pain <complet> & co est de nouveau disponible"
        );
        says(
            &email,
            &[
                "Bonjour Paul,",
                "Le premier client qui le réserve l'obtient.",
                "Voir l'annonce: https://foodbridge.cm/listings/3",
            ],
        );
        // Nothing about the client who gave it back.
        assert!(!email.text.contains("Amina"), "{}", email.text);
        assert!(!email.text.contains("amina@example.cm"), "{}", email.text);
    }
}
