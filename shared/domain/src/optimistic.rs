//! The optimistic-retry loop, the one every read–modify–write goes through: read, decide,
//! write on condition that nothing changed; when something did, read again and decide
//! again, a few times, then give up with a 409 `conflict`.
//!
//! A lost race is signalled one way: the attempt answers [`Attempt::LostRace`]. A repository
//! write whose only refusal is a lost race answers an `Attempt` itself; one that can also
//! refuse for a reason of its own answers a typed refusal, which the use case maps.

use std::future::Future;

use crate::DomainError;

/// What one attempt came to.
#[derive(Debug)]
pub enum Attempt<T> {
    Done(T),
    /// What the attempt read changed before its write landed: read and decide again.
    LostRace,
}

impl<T> Attempt<T> {
    /// What a landed attempt comes to.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attempt<U> {
        match self {
            Attempt::Done(value) => Attempt::Done(f(value)),
            Attempt::LostRace => Attempt::LostRace,
        }
    }
}

/// How many times a read–modify–write is tried, and what it contends on (for the 409).
#[derive(Debug, Clone, Copy)]
pub struct Contended {
    pub attempts: u32,
    /// What kept changing, as the error says it: "the conversation".
    pub what: &'static str,
}

impl Contended {
    pub const fn on(what: &'static str, attempts: u32) -> Self {
        Self { attempts, what }
    }
}

/// Runs `attempt` until it is done, at most `contended.attempts` times.
pub async fn retry_on_lost_race<T, F, Fut>(
    contended: Contended,
    mut attempt: F,
) -> Result<T, DomainError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, DomainError>>,
{
    for _ in 0..contended.attempts {
        if let Attempt::Done(value) = attempt().await? {
            return Ok(value);
        }
    }
    Err(DomainError::conflict(
        "conflict",
        format!("{} kept changing meanwhile; try again", contended.what),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tries_again_after_a_lost_race_then_gives_up() {
        let mut calls = 0;
        let value = retry_on_lost_race(Contended::on("it", 3), || {
            calls += 1;
            let done = calls == 2;
            async move {
                Ok(if done {
                    Attempt::Done(7)
                } else {
                    Attempt::LostRace
                })
            }
        })
        .await
        .unwrap();
        assert_eq!((value, calls), (7, 2));
        let gave_up: Result<(), _> = retry_on_lost_race(Contended::on("the slot", 2), || async {
            Ok(Attempt::LostRace)
        })
        .await;
        match gave_up {
            Err(DomainError::Conflict { code, detail }) => {
                assert_eq!(code, "conflict");
                assert!(detail.starts_with("the slot kept changing"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
    }
}
