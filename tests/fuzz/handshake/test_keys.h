// Fixed, public test keys for the handshake fuzz targets and the hostile-input table: the PEM
// files next to this header, made once with
//   openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=fuzz.example
//     -addext subjectAltName=DNS:fuzz.example -keyout rsa_key.pem -out rsa_cert.pem
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 ... (ecdsa_*.pem)
//   openssl req -x509 -newkey ed25519 ... (ed25519_*.pem: the one deterministic TLS 1.3
//     signature, so a whole TLS 1.3 handshake, and the session it leaves, repeats byte for byte)
// and embedded here so that the targets need no file at run time. Never use them elsewhere.
#pragma once

namespace hs::fuzzing {

inline constexpr const char kRsaCertPem[] = R"PEM(-----BEGIN CERTIFICATE-----
MIIDKjCCAhKgAwIBAgIUWZ95xNvWu5PnJ/AZT8TxVSPZsGowDQYJKoZIhvcNAQEL
BQAwFzEVMBMGA1UEAwwMZnV6ei5leGFtcGxlMCAXDTI2MTEyODAwMjE1NVoYDzIx
MjYxMTA0MDAyMTU1WjAXMRUwEwYDVQQDDAxmdXp6LmV4YW1wbGUwggEiMA0GCSqG
SIb3DQEBAQUAA4IBDwAwggEKAoIBAQDROK1mbSIn1Fdany1p6OfQOyHWcqd8BaKX
aRJn/spIjdgydfvLbPsD/nJTIIEjI0lblPWj5aK8PwTsHqUdcktCBkKVBztXnmCj
YsWFADiEn7CwWK4sJwjB5foxPbCkeNd/hGaGBhVc+9brtbImw5G7Uu1j7axco/3u
NFiR4Pj5+KPI8ZS4kmu/fjARx0aSRN8TI1jCnpSMaiifiG4h1j5CV+V+NGXOEyQ2
CZmP5JlJ3WYSLfQieu7k/ggG3R56FXrSV547iaDe1xMzXRDo9TvIdLoLh2j9EjI8
z53f0rkV9Ea2L1FMErQThkkd8eB74pOe6tQA4XfYhFkE7RjrarbnAgMBAAGjbDBq
MB0GA1UdDgQWBBS+4GFmhue90C7FiYP5WiHDperPqzAfBgNVHSMEGDAWgBS+4GFm
hue90C7FiYP5WiHDperPqzAPBgNVHRMBAf8EBTADAQH/MBcGA1UdEQQQMA6CDGZ1
enouZXhhbXBsZTANBgkqhkiG9w0BAQsFAAOCAQEAa57Pwsl5w7h5WO8a2U9EmicJ
hpmFPUj4/y77P50tfPKLmjpU3AUOcpGBCOgrW2oXqRWrfhIqRAg/JgnoYg7EzVyF
xnbHlwiT81xONI291XZ0+lmA/J1WeSg4PG23ScW6zfrg5YIS7fQhlq1qPr9/R5m5
vZN2vuFLVox+6tasG3n3BP2GEoaSKkStho3S2fvO2IWKUWwJoCzkUs4sr8fB5vTY
jupoTJqIcGJCH4AuTf1EQbmHimLjWZXLR5aEJ/2uSvNcmhZR9i8rpFdPU6C0QzhD
xKyzccUADLTlBSetEA4sQ53OCKi9gSYcSBfxkolVCcSBJs9ki3odAzf3S3o5+w==
-----END CERTIFICATE-----
)PEM";
inline constexpr const char kRsaKeyPem[] = R"PEM(-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDROK1mbSIn1Fda
ny1p6OfQOyHWcqd8BaKXaRJn/spIjdgydfvLbPsD/nJTIIEjI0lblPWj5aK8PwTs
HqUdcktCBkKVBztXnmCjYsWFADiEn7CwWK4sJwjB5foxPbCkeNd/hGaGBhVc+9br
tbImw5G7Uu1j7axco/3uNFiR4Pj5+KPI8ZS4kmu/fjARx0aSRN8TI1jCnpSMaiif
iG4h1j5CV+V+NGXOEyQ2CZmP5JlJ3WYSLfQieu7k/ggG3R56FXrSV547iaDe1xMz
XRDo9TvIdLoLh2j9EjI8z53f0rkV9Ea2L1FMErQThkkd8eB74pOe6tQA4XfYhFkE
7RjrarbnAgMBAAECggEABPc+6lzxwBdCoYSAq/BavC8DHRdokUGC++wDA1PhUjqH
pJ73RHtIM+6QoRd26TIXtiRBdkvngmdOgxoxGhNR5PXIE8hxqKE6MvaPsJnyPXea
1nysWaDtjMicGRoZPLYfi0fFtS2kySmzDrIn0dK3fUY5GzOTcTl1N/enGINJ9Yjd
wHPVWMVSkV1CZwKOJrCCvke7rDFvZNNUxgkSJ4CaI9Cf9JPrvlaB8c6fw/lcOPfI
mU3DzYbu6va3KkE3b1HZ5NCy/NQZElTcs1kHINITyuq7UQIw41Z6j8v1wcwcCx8N
yxUmRvpBQuZhTRU8EkjcLV5VxkypBulm4rAsjSBZvQKBgQDu7NReI6LFhOoViZvT
cJnVgsiuTmNinfm16rZR/ZL4q+gaIonWGypyDI7f+r/BGGgK/9e28NCfbMl+i40Y
t6yi4ymAoXA9MAQTiIAhF1wJJUAdnrtPy+hbP4BqxnGYQjR4JjQVBigQFDW2aj6H
zxjoq+PAvtQLYGzb9I1ei0mylQKBgQDgLGnwdGd8+LGZ8+R9irld3KO+9L+VSw8q
pLe/D6X+qyE/GtfZeB0RPGT9IBvXuk2uf3lb1vG+/NUkrthC5NdngChOOuCLW48a
8+XT8qUHWsmY7egtBNTvOCRmkconnn4Sgqj4SCIQWJMciqH1RF/u4dPJLRRdUO8e
QKrmg9vAiwKBgQDnPmTUsFzsGxaMveEJpiPd2HTu74OVgRyci4zmkixbbdZ45RDP
Hv/X3nuyIHjTJRIeAzz/HNhuVNY4Gkz3rV3zUTVr/9QoBH8NgMGyRW+YkmsZv/W+
57X+Ctn5fhOXsAwkdaVW69x+o3DRGsdmnnSXTTZj6M5GLI9v26Ov69PqeQKBgCRx
U++RHNnGHCko6vY1vRizK7N5WkPM5fRKvsxCoPubmlYF6R0jV6ZbqRc1RxF06ff6
JSJ2+OnRdFz4R5PoW9Qpk2PUUniVM9hv2ebwxT9C1Q8Vbe8ToAIboF9ESBbUvy4H
K6zhHRiHLbMwHlAfA3F0KNfFik/5PkYuwRmkSe8tAoGBAI1X4SjKoaZ9wFkkiO2T
i8zxw1qy/N2Cpxsvy4rsNyHGI3CTW3LeN8C4rynbfnDRoCTv1HtC73SRtK3E+A85
dUM9WvUCrdjFFof9Yp1eH8XTELu3LGUG25JOoeOsgqKIvNaMBqvo3MwnQUbzIcbG
lxeSAwKD0W5O0JGkKMqh7FT6
-----END PRIVATE KEY-----
)PEM";
inline constexpr const char kEcdsaCertPem[] = R"PEM(-----BEGIN CERTIFICATE-----
MIIBnzCCAUSgAwIBAgIUXo18L75c9jDvPUO5k9AXz7imxqkwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMZnV6ei5leGFtcGxlMCAXDTI2MTEyODAwMjE1NVoYDzIxMjYx
MTA0MDAyMTU1WjAXMRUwEwYDVQQDDAxmdXp6LmV4YW1wbGUwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAT8ScNvlg1wpU6RB1AA94ghB314VBBn8QH8v5pzd2aTUZpM
6Vb7B1b85k/kPlLacTnGBe4VFQlH4X+R8EnrE6wgo2wwajAdBgNVHQ4EFgQUx0gG
cXZtpWMOwTT8/X/sxRssZRswHwYDVR0jBBgwFoAUx0gGcXZtpWMOwTT8/X/sxRss
ZRswDwYDVR0TAQH/BAUwAwEB/zAXBgNVHREEEDAOggxmdXp6LmV4YW1wbGUwCgYI
KoZIzj0EAwIDSQAwRgIhAKcK+kS3Uep+nBXJvitT+bQbZeY63bNu3gdGzDBUgzoP
AiEAllKRDXUhsSldtE4aksVFAd/pOY5ZAnWuiUQbRL4lJi4=
-----END CERTIFICATE-----
)PEM";
inline constexpr const char kEcdsaKeyPem[] = R"PEM(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgb72SWshrnAq4IRrH
n6FZ8RpDkJFiy9lQ+6nYGHfmOg6hRANCAAT8ScNvlg1wpU6RB1AA94ghB314VBBn
8QH8v5pzd2aTUZpM6Vb7B1b85k/kPlLacTnGBe4VFQlH4X+R8EnrE6wg
-----END PRIVATE KEY-----
)PEM";
inline constexpr const char kEd25519CertPem[] = R"PEM(-----BEGIN CERTIFICATE-----
MIIBXjCCARCgAwIBAgIUVCVASSkMVDsUQmNu9b0skztyRmcwBQYDK2VwMBcxFTAT
BgNVBAMMDGZ1enouZXhhbXBsZTAgFw0yNjExMjgwNTI0NDRaGA8yMTI2MTEwNDA1
MjQ0NFowFzEVMBMGA1UEAwwMZnV6ei5leGFtcGxlMCowBQYDK2VwAyEA3cidNQYQ
E719uSBRDu5KkxWlCnpKSIf1IweX+CEDFbajbDBqMB0GA1UdDgQWBBQYwNwTb6Pw
U7dWf699T42cPb3XPTAfBgNVHSMEGDAWgBQYwNwTb6PwU7dWf699T42cPb3XPTAP
BgNVHRMBAf8EBTADAQH/MBcGA1UdEQQQMA6CDGZ1enouZXhhbXBsZTAFBgMrZXAD
QQCq1PwX49nRSZrNicsyYm+G+MIMSsawjoDY1ktf9t+wTl9XHABrlAYjqdCLkFqh
WRtwQM/ul6BI2z1ecvpYagMG
-----END CERTIFICATE-----
)PEM";
inline constexpr const char kEd25519KeyPem[] = R"PEM(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIFbj7riz9WrSd3fDBpzW2T2qSsUlfEje+NKCBe5rDRhD
-----END PRIVATE KEY-----
)PEM";

}  // namespace hs::fuzzing
