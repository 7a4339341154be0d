//! The single-table design. Every key and index attribute of fairlink is built here (the
//! test at the end holds their shapes).
//!
//! | item                | pk                    | sk                      | gsi1pk                 | gsi1sk   |
//! |---------------------|-----------------------|-------------------------|------------------------|----------|
//! | fair                | `FAIR`                | `FAIR`                  |                        |          |
//! | exhibitor           | `EXH#<eid>`           | `PROFILE`               |                        |          |
//! | distribution modes  | `EXH#<eid>`           | `SETTINGS#distribution` |                        |          |
//! | auto-reply texts    | `EXH#<eid>`           | `SETTINGS#auto-replies` |                        |          |
//! | account             | `ACC#<aid>`           | `ACCOUNT`               | `EXH#<eid>#ACCOUNTS`   | `<aid>`  |
//! | exhibitor's member  | `EXH#<eid>#MEMBERS`   | `<aid>`                 |                        |          |
//! | email claim         | `EMAIL#<email>`       | `EMAIL`                 |                        |          |
//! | identity link (6)   | `IDENTITY#<sub>`      | `IDENTITY`              |                        |          |
//! | notification        | `ACC#<aid>#NOTIFS`    | `<nid>`                 | `ACC#<aid>#UNREAD` (1) | `<nid>`  |
//! | idempotency record  | `IDEM#<scope>#<key>`  | `IDEM`                  |                        |          |
//! | rate-limit window   | `RATE#<scope>#<client>#<window>` | `RATE`       |                        |          |
//! | outgoing job (4)    | `OUTGOING#<shard>`    | `<createdAt>#<jid>`     |                        |          |
//! | outbox entry (2)    | `OUTBOX`              | `<id>`                  |                        |          |
//! | queued job (7)      | `QUEUE#<queue>`       | `<mid>`                 |                        |          |
//! | dead letter (7)     | `QUEUE#<queue>#DEAD`  | `<mid>`                 |                        |          |
//! | exhibit             | `EXHIBIT#<xid>`       | `EXHIBIT`               | `EXH#<eid>#EXHIBITS`   | `<xid>`  |
//! | quota spent         | `EXH#<eid>`           | `QUOTA`                 |                        |          |
//! | match candidate (3) | `CAT#<cat>#CANDIDATES`| `<xid>`                 |                        |          |
//! | intent              | `INTENT#<iid>`        | `INTENT`                | `ACC#<bid>#INTENTS`    | `<iid>`  |
//! | open intent (9)     | `CAT#<cat>#OPEN_INTENTS` | `<iid>`              |                        |          |
//! | intent delivery     | `INTENT#<iid>`        | `DELIVERY#<eid>`        | `EXH#<eid>#INTENTS`    | `<iid>`  |
//! | push email claim    | `INTENT#<iid>`        | `EMAIL`                 |                        |          |
//! | intent's vector (5) | `INTENT#<iid>`        | `EMBEDDING`             |                        |          |
//! | exhibit match       | `EXH#<eid>#MATCHES`   | `<iid>#<xid>`           |                        |          |
//! | push to a buyer     | `ACC#<bid>#PUSHED`    | `<xid>`                 | `ACC#<bid>#PUSHES` (10)| `<pid>`  |
//! | push by its id      | `PUSH#<pid>`          | `PUSH`                  |                        |          |
//! | intent's matching (11)| `INTENT#<iid>`      | `MATCHING`              |                        |          |
//! | buyer's verdict     | `INTENT#<iid>`        | `VERDICT#<xid>`         | `MATCHING_FEEDBACK`    | `<at>#<iid>#<xid>` |
//! | exhibit's verdicts  | `EXHIBIT#<xid>`       | `FEEDBACK`              |                        |          |
//! | slot                | `SLOT#<sid>`          | `SLOT`                  | `EXH#<eid>#SLOTS`      | `<at>#<sid>` |
//! | a buyer's place     | `SLOT#<sid>`          | `BUYER#<bid>`           |                        |          |
//! | slot's interval     | `EXH#<eid>#CALENDAR`  | `<at>#<sid>`            |                        |          |
//! | booking             | `BOOKING#<bkid>`      | `BOOKING`               | `EXH#<eid>#BOOKINGS`   | `<at>#<bkid>` |
//! | sent message claim  | `SENT#<key>`          | `SENT`                  |                        |          |
//! | schedule entry      | `ACC#<aid>#SCHEDULE`  | `<at>#<bkid>`           |                        |          |
//! | account busy        | `ACC#<aid>#BUSY`      | `<at>`                  |                        |          |
//! | scheduler cursor    | `SCHEDULER`           | `CURSOR`                |                        |          |
//! | conversation        | `CONV#<cid>`          | `CONV`                  | `ACC#<buyer>#CONVS`    | `<activity>` |
//! | one per pair        | `PAIR#<bid>#<eid>`    | `PAIR`                  |                        |          |
//! | exhibitor's list    | `EXH#<eid>#CONVS`     | `<activity>`            |                        |          |
//! | message             | `CONV#<cid>#MSGS`     | `<mid>`                 |                        |          |
//! | translation         | `MSG#<mid>`           | `TR#<lang>`             |                        |          |
//! | card                | `ACC#<aid>`           | `CARD`                  |                        |          |
//! | card received       | `ACC#<aid>#CARDS_IN`  | `<rcid>`                |                        |          |
//! | … by an exhibitor   | `EXH#<eid>#CARDS_IN`  | `<rcid>`                |                        |          |
//! | socket (8)          | `SOCKET#<connid>`     | `SOCKET`                |                        |          |
//! | account's socket (8)| `ACC#<aid>#SOCKETS`   | `<connid>`              |                        |          |
//!
//! GSI2 (`gsi2pk`, `gsi2sk`), all sparse:
//!
//! | item            | gsi2pk                          | gsi2sk  | while            |
//! |-----------------|---------------------------------|---------|------------------|
//! | exhibit         | `EXH#<eid>#RECOMMENDED`         | `<xid>` | recommended      |
//! | intent delivery | `ACC#<aid>#ASSIGNED_INTENTS`    | `<iid>` | always           |
//! | conversation    | `ACC#<assignee>#CONVS`          | `<activity>` | always   |
//! | booking         | `REMIND#<10-min bucket>#<shard>`| `<reminderAt>#<bkid>` | confirmed, reminder more than 15 min ahead |
//!
//! (1) only while unread: a sparse index. (2) embedded email and SMS adapters only.
//! (4) only until its queue took it: a queue message stored with the change that calls for it.
//! (3) only while the exhibit is recommended: the small, pre-tokenized form the matcher
//! scores, one partition per category, so matching reads only the intent's category.
//! (5) the intent's sentence vector, stored once by the matcher when it first runs the intent.
//! (7) embedded queue only: what the in-process queue holds, kept until acknowledged, so a
//! restart of fairlink-local loses no queued job.
//! (6) the sign-in identity (Cognito `sub`) of an account, for tokens that do not name the
//! account (access tokens); the account item holds the same `sub` as `identitySubject`.
//! (8) an open WebSocket connection, by its id (API Gateway's, or fairlink-local's) and under
//! its account, expiring by `ttl` two hours after it opened, as API Gateway closes it.
//! (10) `ACC#<bid>#DISMISSED` once its buyer marked it not relevant: the two lists of
//! `GET /v1/me/recommendations` (`?dismissed=true`) are each one key.
//! (11) what the matcher keeps of an intent's run: its ranked matches (the buyer's list) and
//! its push ledger (pushes sent, dismissed), versioned, written with the pushes.
//! (9) a copy of the intent while it is open, written and deleted in the intent's own
//! transactions (intents are never edited), so the matcher reads the category's open intents
//! consistently, without waiting for an index.
//! Ids are ULIDs, so an id-ordered sort key is also a creation-ordered one.
//!
//! Access patterns, each one key or index query (never a scan):
//! - the fair: get `FAIR/FAIR`;
//! - an exhibitor's profile, distribution modes, auto-replies: get on `EXH#<eid>`;
//! - an account (every authenticated request): get `ACC#<aid>/ACCOUNT`, named by the ID
//!   token's `custom:account_id` (its `identitySubject` must be the token's `sub`); an
//!   access token's `sub` first gets `IDENTITY#<sub>`;
//! - an exhibitor's accounts, oldest first: query GSI1 `EXH#<eid>#ACCOUNTS` (the list);
//!   for the rules that count or pick them (capacity, distribution), query
//!   `EXH#<eid>#MEMBERS` and one batch get of the accounts, both consistent;
//! - email uniqueness: a conditional put of the claim in the account's transaction;
//! - my notifications, newest first: query `ACC#<aid>#NOTIFS` backward;
//!   unread ones: query GSI1 `ACC#<aid>#UNREAD` backward;
//! - an idempotency record: get, conditional put, expiring by `ttl`;
//! - a rate-limit window: one conditional counter update, expiring by `ttl`;
//! - outgoing jobs left unsent: query each of 8 `OUTGOING#<shard>` partitions below a time;
//! - an exhibit: get; an exhibitor's exhibits: GSI1; its recommended ones: GSI2;
//! - a category's recommended exhibits (the matcher): query `CAT#<cat>#CANDIDATES`;
//! - a category's open intents (the matcher, on a new recommendation): query
//!   `CAT#<cat>#OPEN_INTENTS` (the table, read consistently);
//! - a buyer's intents, newest first: GSI1 backward; an intent's delivery to an exhibitor:
//!   get; an exhibitor's delivered intents: GSI1; an account's assigned ones: GSI2;
//! - an exhibitor's exhibit matches, newest intent first: query backward; whether an intent
//!   matched an exhibitor: query `begins_with(<iid>#)` limit 1;
//! - a buyer's pushes, newest first: GSI1 backward (kept and dismissed ones apart);
//!   "already pushed?": the conditional put; a push by its id: get `PUSH#<pid>`, then the
//!   push itself;
//! - an intent's ranked matches and push ledger: get `INTENT#<iid>/MATCHING`; its buyer's
//!   verdicts (the matcher's re-ranking): query `INTENT#<iid>` `begins_with(VERDICT#)`;
//! - every verdict of the fair (the organizer's export), in time order: GSI1
//!   `MATCHING_FEEDBACK`; an exhibit's verdict counts: get `EXHIBIT#<xid>/FEEDBACK`;
//! - overlaps of a slot change: query `EXH#<eid>#CALENDAR` over a time range (the table,
//!   read consistently; written in the slot's transaction) and the calendar's version;
//! - a slot: get; an exhibitor's slots by time: GSI1 with a time range (`<at>` is RFC 3339
//!   UTC to the second, so text order is time order); one booking per buyer and slot: the
//!   conditional put of the buyer's place in the booking's transaction;
//! - a booking: get; an exhibitor's bookings by time: GSI1; my schedule: query
//!   `ACC#<aid>#SCHEDULE` and one batch get of the bookings;
//! - an account free at a slot's time: the conditional put of `ACC#<aid>#BUSY/<at>`, keyed by
//!   the meeting's start rather than its slot, so two slots at one time (one moved there, or
//!   made where another was) cannot both be given to one account; partial overlaps rest on
//!   the exhibitor's slots never overlapping;
//! - reminders coming due: GSI2 `REMIND#<bucket>#<shard>` with a `<reminderAt>` range, eight
//!   shards per ten minutes so that 50,000 meetings at once spread out;
//! - each message sent once: the conditional put of `SENT#<key>`;
//! - conversations by latest activity (`<activity>` is the id of the latest message, a ULID):
//!   a buyer's on GSI1, an assignee's on GSI2, an exhibitor's in `EXH#<eid>#CONVS` (moved
//!   in the transaction that adds a message) joined by one batch get; one open conversation
//!   per buyer and exhibitor: the conditional put of the pair;
//! - messages in order, both ways: query `CONV#<cid>#MSGS`;
//! - cards received, newest first: query `ACC#<aid>#CARDS_IN`, or `EXH#<eid>#CARDS_IN`;
//! - an account's open sockets (each event's delivery): query `ACC#<aid>#SOCKETS`; the
//!   account of a socket (`$disconnect` names only the socket): get `SOCKET#<connid>`.

pub const FAIR: &str = "FAIR";
pub const PROFILE: &str = "PROFILE";
pub const ACCOUNT: &str = "ACCOUNT";
pub const EMAIL: &str = "EMAIL";
pub const IDENTITY: &str = "IDENTITY";
pub const IDEM: &str = "IDEM";
pub const OUTBOX: &str = "OUTBOX";
pub const DISTRIBUTION: &str = "SETTINGS#distribution";
pub const AUTO_REPLIES: &str = "SETTINGS#auto-replies";

pub fn exhibitor(eid: &str) -> String {
    format!("EXH#{eid}")
}

pub fn exhibitor_accounts(eid: &str) -> String {
    format!("EXH#{eid}#ACCOUNTS")
}

/// An exhibitor's accounts as a table partition: what capacity and distribution read
/// (consistently), where the GSI1 list may lag.
pub fn exhibitor_members(eid: &str) -> String {
    format!("EXH#{eid}#MEMBERS")
}

pub fn account(aid: &str) -> String {
    format!("ACC#{aid}")
}

/// Emails are unique across fairlink, compared without case.
pub fn email_claim(email: &str) -> String {
    format!("EMAIL#{}", email.trim().to_lowercase())
}

/// The account a sign-in identity signs in as.
pub fn identity_link(subject: &str) -> String {
    format!("IDENTITY#{subject}")
}

pub fn notifications(aid: &str) -> String {
    format!("ACC#{aid}#NOTIFS")
}

pub fn unread_notifications(aid: &str) -> String {
    format!("ACC#{aid}#UNREAD")
}

pub const RATE: &str = "RATE";

/// The embedded queue's messages of one queue.
pub fn queued(queue: &str) -> String {
    format!("QUEUE#{queue}")
}

/// The embedded queue's dead letters of one queue.
pub fn dead_letters(queue: &str) -> String {
    format!("QUEUE#{queue}#DEAD")
}

pub fn outgoing(shard: u32) -> String {
    format!("OUTGOING#{shard}")
}

pub fn rate_window(scope: &str, client: &str, window_start: i64) -> String {
    format!("RATE#{scope}#{client}#{window_start}")
}

pub fn idempotency(scope: &str, key: &str) -> String {
    format!("IDEM#{scope}#{key}")
}

pub const EXHIBIT: &str = "EXHIBIT";
pub const QUOTA: &str = "QUOTA";
pub const INTENT: &str = "INTENT";
pub const PUSH_EMAIL: &str = "EMAIL";
pub const EMBEDDING: &str = "EMBEDDING";
pub const MATCHING: &str = "MATCHING";
pub const PUSH: &str = "PUSH";
pub const FEEDBACK: &str = "FEEDBACK";
pub const MATCHING_FEEDBACK: &str = "MATCHING_FEEDBACK";

pub fn exhibit(xid: &str) -> String {
    format!("EXHIBIT#{xid}")
}

pub fn exhibitor_exhibits(eid: &str) -> String {
    format!("EXH#{eid}#EXHIBITS")
}

pub fn recommended_exhibits(eid: &str) -> String {
    format!("EXH#{eid}#RECOMMENDED")
}

pub fn match_candidates(category_id: &str) -> String {
    format!("CAT#{category_id}#CANDIDATES")
}

/// One of a category's candidate blocks (`000`…), under `match_candidates(category_id)`.
pub fn candidate_block(block: u64) -> String {
    format!("{block:03}")
}

/// What the attributes of a block that hold packed candidates begin with.
pub const CANDIDATE_ATTR_PREFIX: &str = "c_";

/// The attribute of a block that holds an exhibit's packed candidate.
pub fn candidate_attr(xid: &str) -> String {
    format!("{CANDIDATE_ATTR_PREFIX}{xid}")
}

pub fn intent(iid: &str) -> String {
    format!("INTENT#{iid}")
}

pub fn buyer_intents(bid: &str) -> String {
    format!("ACC#{bid}#INTENTS")
}

pub fn open_intents(category_id: &str) -> String {
    format!("CAT#{category_id}#OPEN_INTENTS")
}

pub fn delivery(eid: &str) -> String {
    format!("DELIVERY#{eid}")
}

pub fn exhibitor_intents(eid: &str) -> String {
    format!("EXH#{eid}#INTENTS")
}

pub fn assigned_intents(aid: &str) -> String {
    format!("ACC#{aid}#ASSIGNED_INTENTS")
}

pub fn exhibit_matches(eid: &str) -> String {
    format!("EXH#{eid}#MATCHES")
}

pub fn exhibit_match(iid: &str, xid: &str) -> String {
    format!("{iid}#{xid}")
}

/// What every exhibit match of an intent begins with, under `exhibit_matches(eid)`.
pub fn exhibit_matches_of_intent(iid: &str) -> String {
    format!("{iid}#")
}

pub fn pushed(bid: &str) -> String {
    format!("ACC#{bid}#PUSHED")
}

pub fn pushes(bid: &str) -> String {
    format!("ACC#{bid}#PUSHES")
}

/// A buyer's pushes marked not relevant (GSI1).
pub fn dismissed_pushes(bid: &str) -> String {
    format!("ACC#{bid}#DISMISSED")
}

pub fn push(pid: &str) -> String {
    format!("PUSH#{pid}")
}

/// A buyer's verdict on an exhibit pushed for an intent (under `intent(iid)`).
pub fn verdict(xid: &str) -> String {
    format!("VERDICT#{xid}")
}

/// What every verdict of an intent begins with.
pub const VERDICTS: &str = "VERDICT#";

/// A verdict's place in the organizer's export: by time, then intent and exhibit.
pub fn verdict_at(at: chrono::DateTime<chrono::Utc>, iid: &str, xid: &str) -> String {
    format!("{}#{iid}#{xid}", fairlink_domain::time::format(at))
}

pub const SLOT: &str = "SLOT";
/// An exhibitor's slot calendar version (under `exhibitor(eid)`).
pub const SLOT_CALENDAR: &str = "SLOT_CALENDAR";
pub const BOOKING: &str = "BOOKING";
pub const SENT: &str = "SENT";
pub const SCHEDULER: &str = "SCHEDULER";
pub const CURSOR: &str = "CURSOR";
/// Reminder index shards per bucket.
pub const REMINDER_SHARDS: u32 = 8;

/// A time as it sorts in keys: RFC 3339 in UTC to the second.
pub fn at(time: chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The sort key of a thing at a time, `<at>#<id>`: by time, then id (slots, intervals,
/// bookings, schedule entries, reminders, outgoing jobs).
pub fn timed(time: chrono::DateTime<chrono::Utc>, id: &str) -> String {
    format!("{}#{id}", at(time))
}

/// A bound just after every `timed` key of `time`'s second (`~` sorts after every id
/// character): the inclusive upper end, or the exclusive lower end, of a range of times.
pub fn after_second(time: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}~", at(time))
}

pub fn slot(sid: &str) -> String {
    format!("SLOT#{sid}")
}

pub fn buyer_place(bid: &str) -> String {
    format!("BUYER#{bid}")
}

pub fn exhibitor_slots(eid: &str) -> String {
    format!("EXH#{eid}#SLOTS")
}

/// An exhibitor's slot intervals, by start: what overlap checks read (consistently).
pub fn slot_intervals(eid: &str) -> String {
    format!("EXH#{eid}#CALENDAR")
}

pub fn booking(bkid: &str) -> String {
    format!("BOOKING#{bkid}")
}

pub fn exhibitor_bookings(eid: &str) -> String {
    format!("EXH#{eid}#BOOKINGS")
}

pub fn schedule(aid: &str) -> String {
    format!("ACC#{aid}#SCHEDULE")
}

pub fn busy(aid: &str) -> String {
    format!("ACC#{aid}#BUSY")
}

pub fn sent(key: &str) -> String {
    format!("SENT#{key}")
}

/// The ten-minute bucket of a reminder time, `2026-04-15T08:40`.
pub fn reminder_bucket(time: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    let floored = time
        .with_minute(time.minute() / 10 * 10)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(time);
    floored.format("%Y-%m-%dT%H:%M").to_string()
}

pub fn reminders(bucket: &str, shard: u32) -> String {
    format!("REMIND#{bucket}#{shard}")
}

pub const CONV: &str = "CONV";
pub const PAIR: &str = "PAIR";
pub const CARD: &str = "CARD";

pub fn conversation(cid: &str) -> String {
    format!("CONV#{cid}")
}

pub fn messages(cid: &str) -> String {
    format!("CONV#{cid}#MSGS")
}

pub fn pair(buyer_id: &str, eid: &str) -> String {
    format!("PAIR#{buyer_id}#{eid}")
}

pub fn conversations(aid: &str) -> String {
    format!("ACC#{aid}#CONVS")
}

pub fn exhibitor_conversations(eid: &str) -> String {
    format!("EXH#{eid}#CONVS")
}

pub fn translations(mid: &str) -> String {
    format!("MSG#{mid}")
}

/// A translation of a message into `lang`, under `translations(mid)`.
pub fn translation(lang: &str) -> String {
    format!("TR#{lang}")
}

pub fn received_cards(aid: &str) -> String {
    format!("ACC#{aid}#CARDS_IN")
}

pub fn exhibitor_received_cards(eid: &str) -> String {
    format!("EXH#{eid}#CARDS_IN")
}

pub const SOCKET: &str = "SOCKET";

pub fn socket(connection_id: &str) -> String {
    format!("SOCKET#{connection_id}")
}

pub fn account_sockets(aid: &str) -> String {
    format!("ACC#{aid}#SOCKETS")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn keys_have_the_shapes_of_the_table() {
        let at_ = Utc.with_ymd_and_hms(2026, 4, 15, 8, 40, 0).unwrap()
            + chrono::Duration::milliseconds(250);
        let cases = [
            (account("a1"), "ACC#a1"),
            (exhibitor("e1"), "EXH#e1"),
            (exhibitor_accounts("e1"), "EXH#e1#ACCOUNTS"),
            (exhibitor_members("e1"), "EXH#e1#MEMBERS"),
            (slot("s1"), "SLOT#s1"),
            (exhibitor_slots("e1"), "EXH#e1#SLOTS"),
            (slot_intervals("e1"), "EXH#e1#CALENDAR"),
            (booking("b1"), "BOOKING#b1"),
            (exhibitor_bookings("e1"), "EXH#e1#BOOKINGS"),
            (schedule("a1"), "ACC#a1#SCHEDULE"),
            (busy("a1"), "ACC#a1#BUSY"),
            (at(at_), "2026-04-15T08:40:00Z"),
            (timed(at_, "s1"), "2026-04-15T08:40:00Z#s1"),
            (after_second(at_), "2026-04-15T08:40:00Z~"),
            (reminder_bucket(at_), "2026-04-15T08:40"),
            (
                reminders("2026-04-15T08:40", 3),
                "REMIND#2026-04-15T08:40#3",
            ),
            (match_candidates("c1"), "CAT#c1#CANDIDATES"),
            (open_intents("c1"), "CAT#c1#OPEN_INTENTS"),
            (candidate_block(7), "007"),
            (candidate_attr("x1"), "c_x1"),
            (exhibit_matches("e1"), "EXH#e1#MATCHES"),
            (exhibit_match("i1", "x1"), "i1#x1"),
            (exhibit_matches_of_intent("i1"), "i1#"),
            (pushed("b1"), "ACC#b1#PUSHED"),
            (pushes("b1"), "ACC#b1#PUSHES"),
            (dismissed_pushes("b1"), "ACC#b1#DISMISSED"),
            (push("p1"), "PUSH#p1"),
            (verdict("x1"), "VERDICT#x1"),
            (
                verdict_at(at_, "i1", "x1"),
                "2026-04-15T08:40:00.250Z#i1#x1",
            ),
            (conversation("c1"), "CONV#c1"),
            (messages("c1"), "CONV#c1#MSGS"),
            (pair("b1", "e1"), "PAIR#b1#e1"),
            (exhibitor_conversations("e1"), "EXH#e1#CONVS"),
            (translations("m1"), "MSG#m1"),
            (translation("zh"), "TR#zh"),
            (account_sockets("a1"), "ACC#a1#SOCKETS"),
        ];
        for (key, shape) in cases {
            assert_eq!(key, shape);
        }
    }

    #[test]
    fn timed_keys_of_a_second_sort_between_it_and_its_bound() {
        let second = Utc.with_ymd_and_hms(2026, 4, 15, 8, 40, 0).unwrap();
        let later_in_it = second + chrono::Duration::milliseconds(900);
        let key = timed(later_in_it, "zz_any-id");
        assert!(at(second) < key && key < after_second(second));
        assert!(after_second(second) < timed(second + chrono::Duration::seconds(1), "a"));
    }
}
