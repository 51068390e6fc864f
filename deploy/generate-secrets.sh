#!/usr/bin/env sh
# Create the secret files deploy/compose.yaml reads (./secrets) and, when there is none yet, a self-signed TLS
# certificate for nginx (./tls; replace it with a real one). Existing files are kept: safe to run again.
set -eu
cd "$(dirname "$0")"
umask 077  # the directories: only the owner may list them
mkdir -p secrets tls
random() { head -c 96 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "${1:-40}"; }
keep() { [ -s "secrets/$1" ] || printf '%s' "$2" >"secrets/$1"; }
keep postgres_password "$(random)"
keep redis_password "$(random)"
keep minio_root_user "paperclerk"
keep minio_root_password "$(random)"
keep secret_key "$(random 64)"
keep backup_encryption_key "$(random 64)"
keep grafana_admin_password "$(random 24)"
keep database_url "postgresql+psycopg://paperclerk:$(cat secrets/postgres_password)@postgres:5432/paperclerk"
keep broker_url "redis://:$(cat secrets/redis_password)@redis:6379/0"
keep s3_credentials "$(printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
  "$(cat secrets/minio_root_user)" "$(cat secrets/minio_root_password)")"
if [ ! -s tls/tls.crt ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=${PAPERCLERK_HOSTNAME:-localhost}" \
    -keyout tls/tls.key -out tls/tls.crt 2>/dev/null
  echo "wrote a self-signed certificate for ${PAPERCLERK_HOSTNAME:-localhost} (30 days): replace tls/tls.crt and tls/tls.key"
fi
# Readable inside the containers (paperclerk runs as uid 10001); the 0700 directories keep other host users out.
chmod 644 secrets/* tls/tls.crt
echo "secrets in $(pwd)/secrets — keep backup_encryption_key somewhere else too: backups cannot be restored without it"
