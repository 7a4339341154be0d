//! Transactions whose conditions have names.
//!
//! The item store says *where* a transaction's condition failed (the position of the write);
//! a repository method wants to know *which rule* refused it. A `Transaction` keeps a name
//! beside each write whose condition is a rule, and a failure comes back as that name, so
//! adding or reordering writes can never turn one refusal into another.

use fairlink_domain::{
    DomainError,
    ports::{StoreError, WriteOp},
};

/// Writes to commit all or none, some of them guarded by a named condition `C`.
#[derive(Debug, Clone)]
pub(crate) struct Transaction<C> {
    ops: Vec<WriteOp>,
    /// The name of each write's condition, by position; `None` for a write whose condition
    /// (a fresh id not existing yet) failing would be a bug, not a refusal.
    names: Vec<Option<C>>,
}

/// Why a transaction did not commit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TransactionError<C> {
    /// The condition with this name did not hold; nothing was written.
    Refused(C),
    /// Anything else: the store failed, or an unnamed condition did not hold.
    Failed(StoreError),
}

impl<C> From<StoreError> for TransactionError<C> {
    fn from(err: StoreError) -> Self {
        TransactionError::Failed(err)
    }
}

impl<C> TransactionError<C> {
    /// The refusal, with every other failure as the domain's error: for the `?` of a caller
    /// that maps each refusal itself.
    pub(crate) fn refusal(self) -> Result<C, DomainError> {
        match self {
            TransactionError::Refused(name) => Ok(name),
            TransactionError::Failed(err) => Err(err.into()),
        }
    }
}

impl<C: Copy> Transaction<C> {
    pub(crate) fn new() -> Self {
        Self {
            ops: Vec::new(),
            names: Vec::new(),
        }
    }

    /// A write whose condition is the rule `name`: when it fails, the transaction is
    /// refused as `name`.
    pub(crate) fn guarded(mut self, name: C, op: WriteOp) -> Self {
        self.ops.push(op);
        self.names.push(Some(name));
        self
    }

    /// A write with no rule of its own.
    pub(crate) fn write(mut self, op: WriteOp) -> Self {
        self.ops.push(op);
        self.names.push(None);
        self
    }

    pub(crate) fn writes(mut self, ops: impl IntoIterator<Item = WriteOp>) -> Self {
        for op in ops {
            self = self.write(op);
        }
        self
    }

    pub(crate) fn ops(&self) -> &[WriteOp] {
        &self.ops
    }

    #[cfg(test)]
    pub(crate) fn into_ops(self) -> Vec<WriteOp> {
        self.ops
    }

    /// The store's answer to this transaction, by name.
    pub(crate) fn outcome(
        &self,
        result: Result<(), StoreError>,
    ) -> Result<(), TransactionError<C>> {
        match result {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed { op: Some(position) }) => {
                match self.names.get(position).copied().flatten() {
                    Some(name) => Err(TransactionError::Refused(name)),
                    None => Err(TransactionError::Failed(StoreError::ConditionFailed {
                        op: Some(position),
                    })),
                }
            }
            Err(err) => Err(TransactionError::Failed(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fairlink_domain::ports::{Condition, Key};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Rule {
        CalendarAsRead,
        SlotFree,
    }

    fn check(sk: &str) -> WriteOp {
        WriteOp::Check {
            key: Key::new("P", sk),
            condition: Condition::Exists,
        }
    }

    fn transaction() -> Transaction<Rule> {
        Transaction::new()
            .guarded(Rule::CalendarAsRead, check("calendar"))
            .write(check("notification"))
            .guarded(Rule::SlotFree, check("a"))
            .guarded(Rule::SlotFree, check("b"))
    }

    fn failed_at(position: usize) -> Result<(), StoreError> {
        Err(StoreError::ConditionFailed { op: Some(position) })
    }

    #[test]
    fn a_failed_condition_comes_back_as_its_name() {
        let tx = transaction();
        assert_eq!(tx.ops().len(), 4);
        assert_eq!(
            tx.outcome(failed_at(0)),
            Err(TransactionError::Refused(Rule::CalendarAsRead))
        );
        assert_eq!(
            tx.outcome(failed_at(3)),
            Err(TransactionError::Refused(Rule::SlotFree))
        );
        assert_eq!(tx.outcome(Ok(())), Ok(()));
    }

    #[test]
    fn an_unnamed_or_unplaced_failure_is_not_a_refusal() {
        let tx = transaction();
        assert_eq!(
            tx.outcome(failed_at(1)),
            Err(TransactionError::Failed(StoreError::ConditionFailed {
                op: Some(1)
            }))
        );
        assert!(matches!(
            tx.outcome(Err(StoreError::condition_failed())),
            Err(TransactionError::Failed(_))
        ));
        assert!(matches!(
            tx.outcome(Err(StoreError::TransactionConflict)),
            Err(TransactionError::Failed(StoreError::TransactionConflict))
        ));
        assert!(
            TransactionError::<Rule>::Failed(StoreError::TransactionConflict)
                .refusal()
                .is_err()
        );
    }
}
