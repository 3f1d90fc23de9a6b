//! [`Role`]: which side gives way when both peers make an offer at once.

/// A peer's role in perfect negotiation: exactly one side of a call is polite.
///
/// When both peers send an offer at the same moment (glare), the **polite** peer rolls its own
/// offer back and answers the other's; the **impolite** peer ignores the incoming offer and
/// waits for the answer to its own. Pick the roles with any rule both sides agree on (the
/// callee is polite, the lower user id is polite, …).
///
/// # Examples
///
/// ```
/// use rtc_peer::Role;
///
/// let my_id = 7;
/// let their_id = 12;
/// let role = if my_id < their_id { Role::Polite } else { Role::Impolite };
/// assert_eq!(role, Role::Polite);
/// ```
///
/// See [MDN: Perfect negotiation concepts](https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation#perfect_negotiation_concepts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Gives way in glare: rolls back its own offer and answers the other's.
    Polite,
    /// Keeps its own offer in glare and ignores the other's.
    Impolite,
}
