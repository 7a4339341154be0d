//! Translation with a provider configured: each message is translated once per language,
//! the original text stays as it was, and provider failures answer clean problems.

use std::sync::{
    Arc,
    atomic::{AtomicU32, Ordering},
};

use async_trait::async_trait;
use chrono::Utc;
use fairlink_domain::{
    DomainError, Ports,
    model::{
        Account, Conversation, Language, Message, MessageType, Notification, NotificationKind,
        Permission, Role, Translation,
    },
    ports::{TranslateError, Translator},
};
use fairlink_messaging::service::MessagingService;
use fairlink_store::{NotificationFor, Repository};

/// A provider that answers in capitals and counts its calls; "xx" it cannot do.
#[derive(Default)]
struct Shouting {
    calls: AtomicU32,
}

#[async_trait]
impl Translator for Shouting {
    async fn translate(&self, text: &str, target: &str) -> Result<Translation, TranslateError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if target == "xx" {
            return Err(TranslateError::UnsupportedLanguage(target.into()));
        }
        Ok(Translation {
            text: text.to_uppercase(),
            source_lang: "en".into(),
            target_lang: target.into(),
        })
    }
}

fn account(id: &str, role: Role) -> Account {
    Account {
        id: id.into(),
        role,
        exhibitor_id: (role == Role::Exhibitor).then(|| "exh_1".into()),
        is_main: role == Role::Exhibitor,
        name: id.into(),
        email: format!("{id}@example.com"),
        phone: None,
        language: Language::EN,
        time_zone: "Asia/Shanghai".into(),
        permissions: Permission::ALL.into_iter().collect(),
        zone_ids: vec![],
        online: false,
        active: true,
        company: None,
        country: None,
        created_at: Utc::now(),
    }
}

#[tokio::test]
async fn each_message_is_translated_once_per_language() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Arc::new(Shouting::default());
    let ports = Ports {
        translator: provider.clone(),
        identities: Arc::new(fairlink_domain::ports::DevTokenIdentities),
        ..fairlink_embedded::ports(dir.path(), None).unwrap()
    };
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    let buyer = account("acc_buyer", Role::Buyer);
    let seller = account("acc_seller", Role::Exhibitor);
    let stranger = account("acc_stranger", Role::Buyer);
    let now = Utc::now();
    let conversation = Conversation {
        id: "cnv_1".into(),
        buyer_id: buyer.id.clone(),
        exhibitor_id: "exh_1".into(),
        assignee_id: seller.id.clone(),
        context: None,
        created_at: now,
        last_message_at: now,
        last_message_preview: None,
        activity: "msg_0".into(),
        buyer_unread: 0,
        exhibitor_unread: 0,
        last_buyer_message_at: None,
        offline_reply_at: None,
    };
    let notice = Notification::new(
        "ntf_1".into(),
        NotificationKind::ConversationAssigned,
        "t",
        "b",
        serde_json::json!({}),
        now,
    );
    repo.open_conversation(
        &conversation,
        NotificationFor {
            account_id: &seller.id,
            notification: &notice,
        },
    )
    .await
    .unwrap();
    let message = Message {
        id: "msg_1".into(),
        conversation_id: "cnv_1".into(),
        sender_id: buyer.id.clone(),
        kind: MessageType::Text,
        text: Some("how much for 500 pieces?".into()),
        image_url: None,
        card: None,
        created_at: now,
    };
    repo.put_messages(std::slice::from_ref(&message))
        .await
        .unwrap();
    let service = MessagingService::new(&repo, &ports);

    let first = service
        .translate(&seller, "cnv_1", "msg_1", "zh")
        .await
        .unwrap();
    assert_eq!(first.text, "HOW MUCH FOR 500 PIECES?");
    let again = service
        .translate(&seller, "cnv_1", "msg_1", "ZH")
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(
        provider.calls.load(Ordering::SeqCst),
        1,
        "cached per message and language"
    );
    service
        .translate(&buyer, "cnv_1", "msg_1", "de")
        .await
        .unwrap();
    assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
    let kept = repo.message("cnv_1", "msg_1").await.unwrap().unwrap();
    assert_eq!(
        kept.text.as_deref(),
        Some("how much for 500 pieces?"),
        "the original stays"
    );

    match service.translate(&seller, "cnv_1", "msg_1", "xx").await {
        Err(DomainError::Unprocessable { code, .. }) => assert_eq!(code, "unsupported_language"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        service.translate(&stranger, "cnv_1", "msg_1", "zh").await,
        Err(DomainError::NotFound(_))
    ));
}
