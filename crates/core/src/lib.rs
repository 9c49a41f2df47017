//! keydesk-core: the counter workflows (enrol, reset, revoke, return, replace,
//! lost) as state machines over keydesk-device and keydesk-store, with a
//! crash-safe journal so that a killed process or a pulled key loses nothing.
