//! `prismctl`: PRISM's command-line tool for local use and tests.
//!
//! - `prismctl keygen --dir DIR` writes an Ed25519 key pair: `jwt-private.pem` (keep it
//!   secret; it signs tokens) and `jwt-public.pem` (give it to the services).
//! - `prismctl token --key jwt-private.pem --sub NAME --roles regulator[,expert]
//!   [--districts 310115,...] [--ttl-days N]` prints a signed JWT.

use std::{fs, path::PathBuf};

use anyhow::Context as _;
use chrono::Utc;
use clap::{Parser, Subcommand};
use ed25519_dalek::{
    pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey as _, EncodePublicKey as _},
    SigningKey,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

#[derive(Parser)]
#[command(name = "prismctl", about = "PRISM's command-line tool", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make an Ed25519 key pair for signing JWTs.
    Keygen {
        /// Folder to write jwt-private.pem and jwt-public.pem into.
        #[arg(long)]
        dir: PathBuf,
        /// Replace keys that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Issue a JWT.
    Token {
        /// The private key (PEM) from `keygen`.
        #[arg(long)]
        key: PathBuf,
        /// Subject: who the token stands for.
        #[arg(long)]
        sub: String,
        /// Roles, comma-separated: admin, regulator, publisher, expert.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<String>,
        /// District codes a district bureau sees, comma-separated; all when absent.
        #[arg(long, value_delimiter = ',')]
        districts: Option<Vec<String>>,
        #[arg(long, default_value = "prism")]
        issuer: String,
        #[arg(long, default_value = "prism")]
        audience: String,
        /// Days until the token expires.
        #[arg(long, default_value_t = 1)]
        ttl_days: i64,
    },
}

const ROLES: [&str; 4] = ["admin", "regulator", "publisher", "expert"];

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Keygen { dir, force } => keygen(&dir, force),
        Command::Token {
            key,
            sub,
            roles,
            districts,
            issuer,
            audience,
            ttl_days,
        } => {
            if let Some(role) = roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
                anyhow::bail!("unknown role {role}: use {}", ROLES.join(", "));
            }
            anyhow::ensure!(ttl_days > 0, "--ttl-days must be positive");
            let pem =
                fs::read_to_string(&key).with_context(|| format!("reading {}", key.display()))?;
            let now = Utc::now().timestamp();
            let mut claims = json!({
                "sub": sub, "roles": roles, "iss": issuer, "aud": audience,
                "iat": now, "nbf": now, "exp": now + ttl_days * 86_400,
            });
            if let Some(districts) = districts {
                claims["districts"] = json!(districts);
            }
            let key = EncodingKey::from_ed_pem(pem.as_bytes())
                .context("the key is not an Ed25519 private key")?;
            println!(
                "{}",
                jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &key)?
            );
            Ok(())
        }
    }
}

fn keygen(dir: &PathBuf, force: bool) -> anyhow::Result<()> {
    let private = dir.join("jwt-private.pem");
    let public = dir.join("jwt-public.pem");
    if private.exists() && !force {
        anyhow::bail!("{} exists; pass --force to replace it", private.display());
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .context("encoding the private key")?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .context("encoding the public key")?;
    write_private(&private, private_pem.as_bytes())?;
    fs::write(&public, public_pem).with_context(|| format!("writing {}", public.display()))?;
    println!("{}", public.display());
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &PathBuf, bytes: &[u8]) -> anyhow::Result<()> {
    use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _};
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &PathBuf, bytes: &[u8]) -> anyhow::Result<()> {
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
