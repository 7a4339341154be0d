//! What the matcher tells people: the buyer's push notifications and email, the exhibitor's
//! match notification, each in its reader's language (the catalogues of `fairlink-texts`).

use fairlink_domain::{
    Ports,
    matching::Scored,
    model::{Account, Exhibit, Intent, Language, Notification, NotificationKind, Push},
    ports::Email,
};
use serde_json::json;

/// The exhibit's own name for Chinese readers; its English name, where it has one, for
/// everyone else (a Spanish or Russian buyer reads English sooner than Chinese).
pub(crate) fn exhibit_name(exhibit: &Exhibit, language: Language) -> &str {
    match &exhibit.details.name_en {
        Some(name_en) if language.primary() != "zh" && !name_en.trim().is_empty() => name_en,
        _ => &exhibit.details.name,
    }
}

/// The notification of a push, to its buyer.
pub(crate) fn pushed_notice(
    ports: &Ports,
    buyer: &Account,
    intent: &Intent,
    push: &Push,
) -> Notification {
    let (title, body) = buyer.language.texts().title_and_body(
        "recommendation-pushed",
        &[
            (
                "exhibit",
                exhibit_name(&push.exhibit, buyer.language).into(),
            ),
            ("intent", intent.product_name.as_str().into()),
        ],
    );
    Notification::new(
        ports.ids.new_id("ntf"),
        NotificationKind::RecommendationPushed,
        title,
        body,
        json!({"pushId": push.id, "exhibitId": push.exhibit.id, "exhibitorId": push.exhibitor_id, "intentId": intent.id, "score": push.score, "reasons": push.reasons, "reasonCodes": push.reason_codes}),
        ports.clock.now(),
    )
}

/// The notification of a match, to the exhibitor's main account.
pub(crate) fn matched_notice(
    ports: &Ports,
    language: Language,
    intent: &Intent,
    scored: &Scored,
) -> Notification {
    let texts = language.texts();
    let (title, body) = texts.title_and_body(
        "intent-matched",
        &[
            ("intent", intent.product_name.as_str().into()),
            ("score", texts.decimal(scored.score, 2).into()),
        ],
    );
    Notification::new(
        ports.ids.new_id("ntf"),
        NotificationKind::IntentMatched,
        title,
        body,
        json!({"intentId": intent.id, "exhibitId": scored.exhibit_id, "score": scored.score}),
        ports.clock.now(),
    )
}

/// The one email per intent that lists what was pushed, in the buyer's language.
pub(crate) fn push_email(buyer: &Account, intent: &Intent, pushes: &[Push]) -> Email {
    let texts = buyer.language.texts();
    let lines: Vec<String> = pushes
        .iter()
        .map(|p| {
            texts.say(
                "push-email-line",
                &[
                    ("exhibit", exhibit_name(&p.exhibit, buyer.language).into()),
                    ("score", texts.decimal(p.score, 2).into()),
                    ("reasons", p.reasons.join("; ").into()),
                ],
            )
        })
        .collect();
    let count = pushes.len() as u64;
    let subject = texts.say(
        "push-email-subject",
        &[
            ("count", count.into()),
            ("intent", intent.product_name.as_str().into()),
        ],
    );
    let intro = texts.say(
        "push-email-intro",
        &[
            ("count", count.into()),
            ("name", buyer.name.as_str().into()),
            ("intent", intent.product_name.as_str().into()),
        ],
    );
    Email::new(
        &buyer.email,
        &subject,
        format!("{intro}\n\n{}\n", lines.join("\n")),
        buyer.language,
    )
}
