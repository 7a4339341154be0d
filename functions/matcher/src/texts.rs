//! What the matcher tells people: the buyer's push notifications and email, the exhibitor's
//! match notification.

use fairlink_domain::{
    Ports,
    matching::Scored,
    model::{Account, Exhibit, Intent, Language, Notification, NotificationKind, Push},
    ports::Email,
};
use serde_json::json;

/// The English name for English readers when there is one.
pub(crate) fn exhibit_name(exhibit: &Exhibit, language: Language) -> &str {
    match (language, &exhibit.details.name_en) {
        (Language::En, Some(name_en)) if !name_en.trim().is_empty() => name_en,
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
    let name = exhibit_name(&push.exhibit, buyer.language);
    let (title, body) = match buyer.language {
        Language::Zh => (
            "为您推荐的展品".to_string(),
            format!("“{name}”符合您的采购需求“{}”。", intent.product_name),
        ),
        Language::En => (
            "Recommended exhibit".to_string(),
            format!(
                "\"{name}\" matches your intent \"{}\".",
                intent.product_name
            ),
        ),
    };
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
    let (title, body) = match language {
        Language::Zh => (
            "采购需求匹配".to_string(),
            format!(
                "采购需求“{}”与您的推荐展品匹配（得分 {:.2}）。",
                intent.product_name, scored.score
            ),
        ),
        Language::En => (
            "Intent matched".to_string(),
            format!(
                "The intent \"{}\" matches one of your recommended exhibits (score {:.2}).",
                intent.product_name, scored.score
            ),
        ),
    };
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
    let lines: Vec<String> = pushes
        .iter()
        .map(|p| {
            format!(
                "- {} ({:.2}): {}",
                exhibit_name(&p.exhibit, buyer.language),
                p.score,
                p.reasons.join("; ")
            )
        })
        .collect();
    let (subject, intro) = match buyer.language {
        Language::Zh => (
            format!(
                "fairlink：为“{}”推荐了 {} 件展品",
                intent.product_name,
                pushes.len()
            ),
            format!(
                "{}，您好：\n\n根据您的采购需求“{}”，我们为您推荐以下展品：",
                buyer.name, intent.product_name
            ),
        ),
        Language::En => (
            format!(
                "fairlink: {} recommended exhibits for \"{}\"",
                pushes.len(),
                intent.product_name
            ),
            format!(
                "Dear {},\n\nThese exhibits match your procurement intent \"{}\":",
                buyer.name, intent.product_name
            ),
        ),
    };
    Email {
        to: buyer.email.clone(),
        subject,
        text: format!("{intro}\n\n{}\n", lines.join("\n")),
    }
}
