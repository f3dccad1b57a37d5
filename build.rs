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
/// release program for x86-64 Linux, which Rust links with LLD unless told otherwise. Scattered
/// among the others, they would bring 20 MB of code into memory for the 5 MB that runs: the
/// kernel reads a program's pages in blocks around each page used.
fn order_functions() {
    let var = |key: &str| std::env::var(key).unwrap_or_default();
    println!("cargo:rerun-if-changed=scripts/link-order.txt");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    // Another linker may not know the option: then the functions stay where they are.
    let linker_chosen = std::env::var_os("RUSTC_LINKER").is_some()
        || ["fuse-ld", "linker-flavor", "link-self-contained"]
            .iter()
            .any(|f| flags.contains(f));
    if var("PROFILE") != "release" || var("TARGET") != "x86_64-unknown-linux-gnu" || linker_chosen {
        return;
    }
    let list = Path::new(&var("CARGO_MANIFEST_DIR")).join("scripts/link-order.txt");
    if list.is_file() && ships_lld(&var("RUSTC"), &var("TARGET")) {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            list.display()
        );
        // Names the list has and this build lacks (a new toolchain, a new dependency) are skipped.
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether the Rust toolchain carries its own LLD for `target`, which it then links with: a
/// toolchain from rustup does; one packaged by a Linux distribution may link with the system's
/// GNU ld, which has no such option.
fn ships_lld(rustc: &str, target: &str) -> bool {
    let Ok(out) = std::process::Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
    else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot)
        .join("lib/rustlib")
        .join(target)
        .join("bin/gcc-ld/ld.lld")
        .exists()
}

/// Whether the program is built for this machine's Linux and its glibc is 2.36 or later.
fn packs_relocations() -> bool {
    let var = |key: &str| std::env::var(key).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    if !native || var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
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
