//! Embeds every file under `templates/` into the binary, so that a build never depends on the
//! working directory and a new catalog or template file needs no code change. Each file comes
//! with its SHA-256, which manifests record: the fonts alone are 6 MB to hash at every run.

use std::path::{Path, PathBuf};

fn main() {
    // Relative relocations packed (DT_RELR): at every start the loader reads 28 KB of them instead
    // of 2.2 MB, and the process peaks about 3 MB lower. Only where the C library can load such a
    // program (glibc 2.36 and later); on an older one it would not start.
    if packs_relocations() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    order_functions();
    let root = Path::new("templates");
    println!("cargo:rerun-if-changed=templates");
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    let mut code = String::from("pub static FILES: &[(&str, &[u8], &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let hash: String = sha2::Digest::finalize(sha2::Digest::chain_update(
            <sha2::Sha256 as sha2::Digest>::new(),
            std::fs::read(file).unwrap(),
        ))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
        code.push_str(&format!(
            "    ({name:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/templates/{name}\")), {hash:?}),\n"
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("templates.rs");
    std::fs::write(out, code).unwrap();
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// Has the linker lay out the functions a build runs (`scripts/link-order.txt`) together, in the
/// release program for x86_64-unknown-linux-gnu. Scattered among the others, they would bring
/// 20 MB of code into memory for the 5 MB that runs: the kernel reads a program's pages in blocks
/// around each page used. LLD, Rust's own linker and its default there, knows the option; GNU ld
/// does not. So an empty program is linked with it first, with this build's compiler, linker and
/// flags, and the option is given only if that link succeeds.
fn order_functions() {
    if env("PROFILE") != "release" || env("TARGET") != "x86_64-unknown-linux-gnu" {
        return;
    }
    println!("cargo:rerun-if-changed=scripts/link-order.txt");
    let list = Path::new(&env("CARGO_MANIFEST_DIR")).join("scripts/link-order.txt");
    // Each option apart: `-Wl,` would split the path at its commas. Names the list has and this
    // build lacks (a new toolchain, a new dependency) are skipped.
    let args = [
        "-Xlinker".to_string(),
        format!("--symbol-ordering-file={}", list.display()),
        "-Xlinker".to_string(),
        "--no-warn-symbol-ordering".to_string(),
    ];
    if list.is_file() && links_with(&args) {
        for arg in &args {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
    }
}

/// Whether this build's compiler, linker and flags link an empty program given `args`.
fn links_with(args: &[String]) -> bool {
    let dir = PathBuf::from(env("OUT_DIR"));
    let main = dir.join("link-probe.rs");
    if std::fs::write(&main, "fn main() {}\n").is_err() {
        return false;
    }
    let mut rustc = std::process::Command::new(env("RUSTC"));
    rustc
        .arg("--target")
        .arg(env("TARGET"))
        .arg("-o")
        .arg(dir.join("link-probe"))
        .arg(&main);
    rustc.args(
        env("CARGO_ENCODED_RUSTFLAGS")
            .split('\x1f')
            .filter(|f| !f.is_empty()),
    );
    if let Ok(linker) = std::env::var("RUSTC_LINKER") {
        rustc.arg(format!("-Clinker={linker}"));
    }
    rustc.args(args.iter().map(|arg| format!("-Clink-arg={arg}")));
    rustc
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The build variable `key`, empty when cargo does not set it.
fn env(key: &str) -> String {
    std::env::var(key).unwrap_or_default()
}

/// Whether the program is built for this machine's Linux and its glibc is 2.36 or later.
fn packs_relocations() -> bool {
    let native = env("HOST") == env("TARGET");
    if !native || env("CARGO_CFG_TARGET_OS") != "linux" || env("CARGO_CFG_TARGET_ENV") != "gnu" {
        return false;
    }
    let Ok(out) = std::process::Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
    else {
        return false;
    };
    // "glibc 2.36"
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.trim().strip_prefix("glibc ").unwrap_or_default();
    let mut numbers = version.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0)) >= (2, 36)
}
