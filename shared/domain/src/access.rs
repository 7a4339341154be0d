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

/// The caller must be an account of this exhibitor able to act with the permission (the
/// main account always is).
pub fn require_permission(
    caller: &Account,
    exhibitor_id: &str,
    permission: Permission,
) -> Result<(), DomainError> {
    require_member(caller, exhibitor_id)?;
    if caller.can(permission) {
        Ok(())
    } else {
        Err(DomainError::forbidden(format!(
            "this needs the `{}` permission",
            serde_json::to_value(permission)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )))
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Organizer => "organizer",
        Role::Exhibitor => "exhibitor",
        Role::Buyer => "buyer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Language;

    fn account(role: Role, exhibitor: Option<&str>, is_main: bool) -> Account {
        Account {
            id: "acc".into(),
            role,
            exhibitor_id: exhibitor.map(Into::into),
            is_main,
            name: "n".into(),
            email: "n@example.cn".into(),
            phone: None,
            language: Language::EN,
            time_zone: "UTC".into(),
            permissions: Default::default(),
            zone_ids: vec![],
            online: false,
            active: true,
            company: None,
            country: None,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn another_tenant_is_not_found_and_a_colleague_is_forbidden() {
        let main = account(Role::Exhibitor, Some("exh_a"), true);
        let sub = account(Role::Exhibitor, Some("exh_a"), false);
        let buyer = account(Role::Buyer, None, false);
        assert!(require_main(&main, "exh_a").is_ok());
        assert!(matches!(
            require_main(&main, "exh_b"),
            Err(DomainError::NotFound(_))
        ));
        assert!(matches!(
            require_main(&sub, "exh_a"),
            Err(DomainError::Forbidden(_))
        ));
        assert!(require_member(&sub, "exh_a").is_ok());
        assert!(matches!(
            require_main(&buyer, "exh_a"),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            require_role(&main, Role::Organizer),
            Err(DomainError::Forbidden(_))
        ));
    }
}
