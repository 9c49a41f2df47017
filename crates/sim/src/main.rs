//! `keydesk-sim`: run a virtual YubiKey 5 as a process that real PC/SC and
//! FIDO2 stacks talk to. See `keydesk_sim::serve`.

fn main() -> std::process::ExitCode {
    keydesk_sim::serve::main()
}
