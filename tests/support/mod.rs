//! Shared harness for the end-to-end tests: isolated pcscd instances with
//! the vsmartcard vpcd driver, virtual keys served by `keydesk-sim serve`,
//! and commands built with temp dirs.
