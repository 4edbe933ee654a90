/* Scores a cohort file through the C interface, then checks the error paths.
 *
 * usage: score_example COHORT.csv
 * stdout: the scored JSON Lines; stderr: "vsend <version>", then one line per check,
 * "ok <name>" or "FAIL <name>".
 * Exits 0 only when every check holds. This is the example in docs/ffi.md;
 * crates/vsend-ffi/tests/c_api.rs builds and runs it with the commands given there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsend.h"

static int failures = 0;

static void check(int ok, const char *name) {
    fprintf(stderr, "%s %s\n", ok ? "ok" : "FAIL", name);
    if (!ok) failures++;
}

/* The whole file in a malloc'd buffer (free it), its length in *len; NULL on failure. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) buf = malloc((size_t)n + 1);
    if (buf) *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s COHORT.csv\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    char *data = read_file(argv[1], &len);
    if (!data) {
        perror(argv[1]);
        return 2;
    }
    fprintf(stderr, "vsend %s\n", vsend_version()); /* a static string: never freed */

    /* The built-in framework; free it with vsend_framework_free. */
    VsendFramework *fw = NULL;
    check(vsend_framework_default(&fw) == VSEND_STATUS_OK && fw != NULL, "default framework");

    /* Score the file: every string handed out is ours to free with vsend_string_free. */
    char *scored = NULL, *problems = NULL, *error = NULL;
    VsendStatus s = vsend_score(fw, VSEND_FORMAT_CSV, (const uint8_t *)data, len, &scored, &problems, &error);
    check(s == VSEND_STATUS_OK, "worked example scores with no rejected row");
    check(error == NULL, "no error message on success");
    check(problems != NULL && strcmp(problems, "[]") == 0, "empty problem list");
    if (scored) fputs(scored, stdout);
    vsend_string_free(scored);
    vsend_string_free(problems);

    /* A CSV header without the required columns. */
    const char bad[] = "child_id,assessed_on\nC\0001,2025-01-01\n";
    s = vsend_score(fw, VSEND_FORMAT_CSV, (const uint8_t *)bad, sizeof bad - 1, &scored, &problems, &error);
    check(s == VSEND_STATUS_INPUT_ERROR && error != NULL && strstr(error, "missing column") != NULL,
          "a header without the required columns is an input error naming them");
    vsend_string_free(error);
    error = NULL;

    /* Malformed JSON Lines, an escaped NUL and a raw NUL byte: rejected rows, never a crash. */
    const char jsonl[] = "{not json\n{\"child_id\": \"C\\u0000\", \"assessed_on\": \"2025-01-01\"}\n{\"child_id\": \"C\0\"}\n";
    s = vsend_score(fw, VSEND_FORMAT_JSONL, (const uint8_t *)jsonl, sizeof jsonl - 1, &scored, &problems, &error);
    check(s == VSEND_STATUS_REJECTED, "malformed JSON lines are rejected rows");
    check(problems != NULL && strstr(problems, "\"line\":1") != NULL && strstr(problems, "\"line\":2") != NULL && strstr(problems, "\"line\":3") != NULL,
          "each rejected line is named");
    vsend_string_free(scored);
    vsend_string_free(problems);

    /* A bad framework: every problem in the message, no handle. */
    const char fw_json[] = "{\"id\": \"x\", \"version\": \"1\", \"scale\": {\"max_level\": 2, \"labels\": [\"a\"]}, \"aggregate\": \"max\", \"domains\": {}}";
    VsendFramework *bad_fw = NULL;
    s = vsend_framework_from_json((const uint8_t *)fw_json, sizeof fw_json - 1, &bad_fw, &error);
    check(s == VSEND_STATUS_INPUT_ERROR && bad_fw == NULL && error != NULL && strstr(error, "scale.labels") != NULL,
          "a bad framework is refused with its problems");
    vsend_string_free(error);
    error = NULL;

    /* Null pointers and bad arguments are refused, not dereferenced. */
    s = vsend_score(NULL, VSEND_FORMAT_CSV, (const uint8_t *)data, len, &scored, &problems, &error);
    check(s == VSEND_STATUS_INVALID_ARGUMENT && error != NULL, "a null framework is an argument error");
    vsend_string_free(error);
    error = NULL;
    s = vsend_score(fw, 7, (const uint8_t *)data, len, &scored, &problems, &error);
    check(s == VSEND_STATUS_INVALID_ARGUMENT, "an unknown format is an argument error");
    vsend_string_free(error);

    vsend_framework_free(fw);
    free(data);
    return failures == 0 ? 0 : 1;
}
