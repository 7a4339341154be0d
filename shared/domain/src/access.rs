//! Who may touch what. Another tenant's object answers "not found", so its existence does
//! not leak; an object of one's own tenant without the right answers "forbidden".

use crate::{
    error::DomainError,
    model::{Account, Permission, Role},
};

pub fn require_role(caller: &Account, role: Role) -> Result<(), DomainError> {
    if caller.role == role {
        Ok(())
    } else {
        Err(DomainError::forbidden(format!(
            "only {} accounts may do this",
            role_name(role)
        )))
    }
}

/// The caller must be an account of this exhibitor.
pub fn require_member(caller: &Account, exhibitor_id: &str) -> Result<(), DomainError> {
    require_role(caller, Role::Exhibitor)?;
    if caller.belongs_to(exhibitor_id) {
        Ok(())
    } else {
        Err(DomainError::NotFound("exhibitor"))
    }
}

/// The caller must be this exhibitor's main account.
pub fn require_main(caller: &Account, exhibitor_id: &str) -> Result<(), DomainError> {
    require_member(caller, exhibitor_id)?;
    if caller.is_main {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only the exhibitor's main account may do this",
        ))
    }
}

/// The caller must be this exhibitor's main account or hold the permission.
pub fn require_permission(
    caller: &Account,
    exhibitor_id: &str,
    permission: Permission,
) -> Result<(), DomainError> {
    require_member(caller, exhibitor_id)?;
    if caller.can(permission) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "this account lacks the permission for this",
        ))
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Organizer => "organizer",
        Role::Exhibitor => "exhibitor",
        Role::Buyer => "buyer",
    }
}
