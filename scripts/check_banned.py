#!/usr/bin/env python3
"""check_banned.py: the source rules CI enforces by grep (see /work/shared/STYLE.md, "Habits").

1. No memcpy, memcmp, strcpy or raw new[] outside src/codec/ and src/crypto/ (in src include
   tools tests bench examples). Comments are ignored.
2. libssl is never used by the library: no <openssl/ssl.h>-family header anywhere under src/ or
   include/, no <openssl/...> header at all outside src/crypto/openssl/, and no OpenSSL::SSL /
   -lssl in the library's CMake files (CMakeLists.txt, cmake/, src/).
3. Every MAC, Finished, binder and cookie check in the library goes through the one
   constant-time compare, crypto::constant_time_equal (CRYPTO_memcmp, src/crypto/openssl/):
   outside src/crypto/, no ==, !=, std::equal, std::ranges::equal or std::mismatch on a value
   named like verify_data, binder, mac, hmac or cookie (issue #8 item 4). A comparison with
   nullptr or of a .size() checks a pointer or a length, not contents.

Prints each violation as path:line: text and exits 1 if there is any.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["src", "include", "tools", "tests", "bench", "examples"]
EXEMPT = ["src/codec/", "src/crypto/"]
BANNED = re.compile(r"\b(memcpy|memcmp|strcpy)\b|\bnew\s+[\w:<>, ]+\[")
LIBSSL_HEADER = re.compile(r'#\s*include\s*[<"]openssl/(ssl|ssl2|ssl3|tls1|dtls1|srtp|sslerr)\.h')
OPENSSL_HEADER = re.compile(r'#\s*include\s*[<"]openssl/')
# Rule 3: contents of secret-derived values compared by something other than constant_time_equal.
CT_NAME = r"(?<!::)\b(\w*(?:verify_data|binder|hmac|mac|cookie)\w*)\b(?!::)"
CT_RANGE_CMP = re.compile(
    r"\b(?:std::equal|std::ranges::equal|std::mismatch|std::lexicographical_compare)\s*\("
    r"[^;]*" + CT_NAME)
CT_OPERATOR = re.compile(
    CT_NAME + r"(?:\.expose\(\))?\s*(?:==|!=)(?!\s*nullptr\b)"
    r"|(?:==|!=)\s*(?:\w+(?:\.|->))*" + CT_NAME + r"(?!\s*[.(\[]|->)")
CT_LENGTH = re.compile(r"(?:len|length|size|count|type|kind)$")


def compares_secret(code):
    """Rule 3: the line compares the contents of a MAC-like value without constant_time_equal."""
    for pattern in (CT_RANGE_CMP, CT_OPERATOR):
        for m in pattern.finditer(code):
            name = next(g for g in m.groups() if g)
            if not CT_LENGTH.search(name):
                return True
    return False


CT_EXEMPT = ["src/crypto/"]
LIBSSL_LINK = re.compile(r"OpenSSL::SSL|(?<![\w-])-lssl\b|\blibssl\b")


def strip_comments(lines):
    """Yield (number, code) with // and /* */ comments removed (good enough for a lint)."""
    in_block = False
    for number, line in enumerate(lines, 1):
        code = ""
        i = 0
        while i < len(line):
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    i = len(line)
                else:
                    in_block = False
                    i = end + 2
            elif line.startswith("//", i):
                break
            elif line.startswith("/*", i):
                in_block = True
                i += 2
            else:
                code += line[i]
                i += 1
        yield number, code


def sources():
    for d in SOURCE_DIRS:
        base = ROOT / d
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.suffix in (".cc", ".h") and path.is_file():
                    yield path.relative_to(ROOT).as_posix(), path


def main():
    problems = []
    for rel, path in sources():
        lines = path.read_text(errors="replace").splitlines()
        exempt = any(rel.startswith(e) for e in EXEMPT)
        in_library = rel.startswith("src/") or rel.startswith("include/")
        for number, code in strip_comments(lines):
            if not exempt and BANNED.search(code):
                problems.append(f"{rel}:{number}: banned call: {lines[number - 1].strip()}")
            if (rel.startswith("src/") and not any(rel.startswith(e) for e in CT_EXEMPT)
                    and compares_secret(code)):
                problems.append(
                    f"{rel}:{number}: compare MACs, Finished, binders and cookies with "
                    f"crypto::constant_time_equal: {lines[number - 1].strip()}")
            if in_library and LIBSSL_HEADER.search(code):
                problems.append(f"{rel}:{number}: libssl header: {lines[number - 1].strip()}")
            elif (in_library and not rel.startswith("src/crypto/openssl/")
                  and OPENSSL_HEADER.search(code)):
                problems.append(
                    f"{rel}:{number}: OpenSSL header outside src/crypto/openssl: "
                    f"{lines[number - 1].strip()}")
    cmake_files = [ROOT / "CMakeLists.txt"] + sorted((ROOT / "cmake").glob("*.cmake"))
    cmake_files += sorted((ROOT / "src").rglob("CMakeLists.txt"))
    for path in cmake_files:
        if not path.is_file():
            continue
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if LIBSSL_LINK.search(code):
                problems.append(f"{rel}:{number}: links libssl: {line.strip()}")
    for p in problems:
        print(p)
    if problems:
        print(f"check_banned: {len(problems)} violation(s)")
        return 1
    print("check_banned: no banned calls, no libssl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
