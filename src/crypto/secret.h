// SecretBytes, SecretArray<N>, secure_wipe and constant_time_equal live in the public header
// <hs/secret.h> because the public StoredSession (<hs/session.h>) holds a SecretBytes; the
// internal code keeps including "crypto/secret.h".
#pragma once

#include <hs/secret.h>
