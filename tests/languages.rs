//! Every person in their own language, over HTTP on both backends: buyers who register in
//! Spanish, Russian, Arabic and French receive their push, their booking confirmation and
//! their reminder (email and SMS) in it, with dates as their language writes them; the
//! organizer adds a language; a language the fair does not offer is refused with the list.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fairlink_tests::{
    Sent, Store, TestServer, emails_to, eventually,
    fixtures::{
        Exhibitor, add_exhibit, assign, book, buyer_in, exhibitor, id, recommend, slot, staff,
        with_fair,
    },
    sample_fair, sms_to, start,
};
use serde_json::{Value, json};

fairlink_tests::scenarios!(
    buyers_receive_every_kind_of_message_in_their_language,
    the_organizer_adds_a_language_and_buyers_change_theirs,
);

/// What a buyer of one language must read; each taken from that language's catalogue.
struct Reader {
    language: &'static str,
    time_zone: &'static str,
    push_title: &'static str,
    push_email_word: &'static str,
    confirmed_title: &'static str,
    confirmation_subject: &'static str,
    /// How the meeting's date reads in the confirmation, in the buyer's zone.
    date: &'static str,
    reminder_subject: &'static str,
    sms_word: &'static str,
    direction: &'static str,
}

const READERS: [Reader; 4] = [
    Reader {
        language: "es",
        time_zone: "Europe/Madrid",
        push_title: "Producto recomendado",
        push_email_word: "recomendado",
        confirmed_title: "Reunión confirmada",
        confirmation_subject: "Reunión confirmada:",
        date: "15 jul 2026",
        reminder_subject: "Recordatorio:",
        sms_word: "cita",
        direction: "ltr",
    },
    Reader {
        language: "ru",
        time_zone: "Europe/Moscow",
        push_title: "Рекомендуемый товар",
        push_email_word: "рекоменд",
        confirmed_title: "Встреча подтверждена",
        confirmation_subject: "Встреча подтверждена:",
        date: "15 июл. 2026",
        reminder_subject: "Напоминание:",
        sms_word: "встреча",
        direction: "ltr",
    },
    Reader {
        language: "ar",
        time_zone: "Asia/Riyadh",
        push_title: "منتج موصى به",
        push_email_word: "موصى",
        confirmed_title: "تم تأكيد الاجتماع",
        confirmation_subject: "تأكيد الاجتماع:",
        date: "2026",
        reminder_subject: "تذكير:",
        sms_word: "اجتماع",
        direction: "rtl",
    },
    Reader {
        language: "fr",
        time_zone: "Europe/Paris",
        push_title: "Produit recommandé",
        push_email_word: "recommandé",
        confirmed_title: "Rendez-vous confirmé",
        confirmation_subject: "Rendez-vous confirmé",
        date: "15 juil. 2026",
        reminder_subject: "Rappel",
        sms_word: "rendez-vous",
        direction: "ltr",
    },
];

fn speaker() -> Value {
    json!({"name": "蓝牙音箱", "nameEn": "Bluetooth speaker", "categoryId": "speakers",
        "description": "Portable, waterproof", "keywords": ["bluetooth", "speaker"],
        "moq": {"quantity": 100, "unit": "pcs"}, "certifications": ["CE"], "markets": ["US", "DE"]})
}

fn intent(now: DateTime<Utc>) -> Value {
    json!({"productName": "Bluetooth speaker", "categoryId": "speakers", "keywords": ["bluetooth"],
        "quantity": {"amount": 500, "unit": "pcs"}, "destinationCountry": "US",
        "certifications": ["CE"], "validUntil": (now + Duration::days(30)).to_rfc3339()})
}

async fn notification_titled(server: &TestServer, token: &str, kind: &str) -> Value {
    eventually(&format!("a {kind} notification"), || async {
        let notes = server
            .get("/v1/me/notifications?limit=100", token)
            .await
            .expect(200)
            .clone();
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["type"] == kind)
            .cloned()
    })
    .await
}

async fn email_starting(server: &TestServer, to: &str, subject: &str) -> Sent {
    eventually(&format!("an email \"{subject}…\""), || async {
        emails_to(server, to)
            .await
            .into_iter()
            .find(|m| m.subject.starts_with(subject))
    })
    .await
}

/// An exhibitor with a recommended speaker.
async fn speaker_exhibitor(server: &TestServer, organizer: &str) -> Exhibitor {
    let acme = exhibitor(server, organizer, "Acme").await;
    let xid = add_exhibit(server, &acme, speaker()).await;
    recommend(server, &acme.main, &xid).await;
    acme
}

async fn buyers_receive_every_kind_of_message_in_their_language(store: Store) {
    let server = start(store).await;
    let now = Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap();
    server.set_clock(now).await;
    let organizer = with_fair(&server).await;
    let acme = speaker_exhibitor(&server, &organizer).await;
    // One colleague of Acme's per buyer: all meet at the same time.
    let mut colleagues = Vec::new();
    for name in ["Li", "Wang", "Zhao", "Chen"] {
        colleagues.push(staff(&server, &acme, name, json!(["appointments"])).await);
    }
    // 13:00 UTC: 15:00 in Madrid and Paris, 16:00 in Moscow and Riyadh, 21:00 in Beijing.
    let starts_at = Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap();
    let sid = id(&slot(&server, &acme, starts_at).await);

    let mut buyers = Vec::new();
    for (reader, colleague) in READERS.iter().zip(&colleagues) {
        let buyer = buyer_in(&server, "Sam", reader.language, reader.time_zone).await;
        let me = server.get("/v1/me", &buyer.token).await.expect(200).clone();
        assert_eq!(me["language"], reader.language);
        server
            .post("/v1/intents", &buyer.token, intent(now))
            .await
            .expect(201);
        let bid = id(&book(&server, &buyer, &sid).await);
        assign(&server, &acme, &bid, &colleague.id).await;
        buyers.push(buyer);
    }

    for (reader, buyer) in READERS.iter().zip(&buyers) {
        let lang = reader.language;
        let push = notification_titled(&server, &buyer.token, "recommendation.pushed").await;
        assert_eq!(push["title"], reader.push_title, "{lang}: {push}");
        let push_email = eventually(&format!("{lang}: the push email"), || async {
            emails_to(&server, &buyer.email)
                .await
                .into_iter()
                .find(|m| m.subject.contains(reader.push_email_word))
        })
        .await;
        assert!(
            push_email.body.contains("Bluetooth speaker"),
            "{lang}: {push_email:?}"
        );

        let confirmed = notification_titled(&server, &buyer.token, "booking.confirmed").await;
        assert_eq!(confirmed["title"], reader.confirmed_title, "{lang}");
        let confirmation = email_starting(&server, &buyer.email, reader.confirmation_subject).await;
        assert!(
            confirmation.body.contains(reader.date) && confirmation.body.contains(reader.time_zone),
            "{lang}: {confirmation:?}"
        );
        let html = confirmation.html.as_deref().expect("an HTML part");
        assert!(
            html.contains(&format!("lang=\"{lang}\" dir=\"{}\"", reader.direction)),
            "{lang}: {html}"
        );
    }

    server.set_clock(starts_at - Duration::minutes(15)).await;
    for (reader, buyer) in READERS.iter().zip(&buyers) {
        let lang = reader.language;
        let reminder = email_starting(&server, &buyer.email, reader.reminder_subject).await;
        assert!(
            reminder.body.contains(reader.time_zone),
            "{lang}: {reminder:?}"
        );
        let sms = eventually(&format!("{lang}: the reminder SMS"), || async {
            sms_to(&server, &buyer.phone).await.into_iter().next()
        })
        .await;
        assert!(sms.body.contains(reader.sms_word), "{lang}: {sms:?}");
        assert!(
            sms.body.contains("https://"),
            "{lang}: the join link: {sms:?}"
        );
    }
}

async fn the_organizer_adds_a_language_and_buyers_change_theirs(store: Store) {
    let server = start(store).await;
    let organizer = with_fair(&server).await;
    let fair = server.get("/v1/fair", &organizer).await.expect(200).clone();
    assert_eq!(
        fair["languages"],
        json!(["en", "zh", "es", "fr", "ru", "ar", "pt"])
    );

    // German is not offered yet: refused, with the list of what is.
    let german = json!({"name": "Jonas", "company": "J GmbH", "country": "DE",
        "email": fairlink_tests::fixtures::unique_email("jonas"), "language": "de",
        "timeZone": "Europe/Berlin"});
    let refused = server
        .send("POST", "/v1/buyers", None, Some(german.clone()))
        .await;
    refused.expect_problem(422, "unsupported_language");
    assert_eq!(refused.body["languages"], fair["languages"]);

    // The organizer adds it: a line in the fair's settings.
    let mut settings = sample_fair(server.now().await);
    settings["languages"] = json!(["en", "zh", "es", "fr", "ru", "ar", "pt", "de"]);
    let put = server
        .put("/v1/fair", &organizer, settings.clone())
        .await
        .expect(200)
        .clone();
    assert_eq!(put["languages"][7], "de");
    // A later PUT that leaves the languages out keeps them.
    settings.as_object_mut().unwrap().remove("languages");
    let kept = server
        .put("/v1/fair", &organizer, settings)
        .await
        .expect(200)
        .clone();
    assert_eq!(kept["languages"], put["languages"]);
    let created = server.send("POST", "/v1/buyers", None, Some(german)).await;
    let jonas = id(created.expect(201));

    // German has no catalogue: Jonas reads English.
    speaker_exhibitor(&server, &organizer).await;
    let token = server.token(&jonas).await;
    let now = server.now().await;
    server
        .post("/v1/intents", &token, intent(now))
        .await
        .expect(201);
    let push = notification_titled(&server, &token, "recommendation.pushed").await;
    assert_eq!(push["title"], "Recommended exhibit");

    // A buyer changes language: to one offered, not to one that is not.
    let path = format!("/v1/accounts/{jonas}");
    let changed = server
        .patch(&path, &token, json!({"language": "ru"}))
        .await
        .expect(200)
        .clone();
    assert_eq!(changed["language"], "ru");
    let refused = server.patch(&path, &token, json!({"language": "ja"})).await;
    refused.expect_problem(422, "unsupported_language");
    assert_eq!(refused.body["languages"][7], "de");
    let malformed = server
        .patch(&path, &token, json!({"language": "not a tag"}))
        .await;
    malformed.expect_problem(422, "validation_failed");
}
