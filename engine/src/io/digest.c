/*
 * digest.c -- layer: io.  SHA-256 of files and memory (civ_file_sha256,
 * civ_sha256_hex; civicast.h), for the plan's manifest.json.
 *
 * The hash is Nettle's (nettle-dev, Debian's libnettle8): a small, widely
 * used and maintained library (GnuTLS is built on it), LGPL-3+/GPL-2+ and so
 * compatible with civicast's GPL-3.0-or-later; a hash written here would be
 * one more thing to get right and keep right.  tests/test_digest.c checks it
 * against the FIPS 180-2 vectors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "civicast.h"
#include "error.h"

static void to_hex(const uint8_t *d, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int k = 0; k < SHA256_DIGEST_SIZE; k++) {
        hex[2 * k] = digits[d[k] >> 4];
        hex[2 * k + 1] = digits[d[k] & 15];
    }
    hex[64] = '\0';
}

void civ_sha256_hex(const void *data, size_t n, char hex[65])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, n, data ? data : (const void *)"");
    sha256_digest(&ctx, sizeof d, d);
    to_hex(d, hex);
}

civ_status civ_file_sha256(const char *path, char hex[65])
{
    if (!path || !hex)
        return civ_fail(CIV_ERR_INVALID_ARGUMENT, "civ_file_sha256: NULL argument");
    hex[0] = '\0';
    civ_where w = {.file = path};
    FILE *f = fopen(path, "rb");
    if (!f)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot open to hash: %s", strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, n, buf);
    int bad = ferror(f);
    int err = errno;
    fclose(f);
    if (bad)
        return civ_fail_at(CIV_ERR_IO, &w, "cannot read to hash: %s", strerror(err));
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    to_hex(d, hex);
    return CIV_OK;
}
