//! The optimistic-retry loop: read, decide, write on condition that nothing changed; when
//! something did, read again and decide again, a few times, then give up with a 409.

use std::future::Future;

use crate::DomainError;

/// What one attempt came to.
#[derive(Debug)]
pub enum Attempt<T> {
    Done(T),
    /// What the attempt read changed before its write landed: read and decide again.
    LostRace,
}

/// Runs `attempt` until it is done, at most `attempts` times.
pub async fn retry_on_lost_race<T, F, Fut>(attempts: u32, mut attempt: F) -> Result<T, DomainError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, DomainError>>,
{
    for _ in 0..attempts {
        if let Attempt::Done(value) = attempt().await? {
            return Ok(value);
        }
    }
    Err(DomainError::conflict(
        "conflict",
        "it kept changing while this change was made; try again",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tries_again_after_a_lost_race_then_gives_up() {
        let mut calls = 0;
        let value = retry_on_lost_race(3, || {
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
        let gave_up: Result<(), _> =
            retry_on_lost_race(2, || async { Ok(Attempt::LostRace) }).await;
        assert!(matches!(
            gave_up,
            Err(DomainError::Conflict {
                code: "conflict",
                ..
            })
        ));
    }
}
