package io.vlitforge.shared.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys a service accepts and the roles each grants, parsed from {@code vlit.auth.keys}
 * ({@code key:role+role,key2:role}; roles {@code ingest}, {@code operate}, {@code read}). It exists so that
 * the secret itself is held in one place: only SHA-256 digests are kept, a presented key is compared with
 * every configured digest in constant time, and neither {@link #toString()} nor any error message ever
 * contains a key (entries are named by their position).
 */
public final class ApiKeys {

    /** The roles an API key can grant. */
    public static final Set<String> ROLES = Set.of("ingest", "operate", "read");

    /** One configured key: a name that is safe to log, the digest of its secret and its roles. */
    public record Entry(String name, byte[] digest, Set<String> roles) {
        @Override
        public String toString() {
            return name + roles;
        }
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses {@code spec}; an absent or blank spec gives no keys (every call is then refused).
     *
     * @throws IllegalArgumentException naming the entry's position, never the key, when an entry is malformed
     */
    public static ApiKeys parse(Optional<String> spec) {
        List<Entry> entries = new ArrayList<>();
        if (spec.isEmpty() || spec.get().isBlank()) {
            return new ApiKeys(entries);
        }
        String[] parts = spec.get().split(",");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty()) {
                continue;
            }
            int colon = part.lastIndexOf(':');
            String name = "api-key-" + (i + 1);
            if (colon <= 0 || colon == part.length() - 1) {
                throw new IllegalArgumentException("vlit.auth.keys entry " + (i + 1)
                        + " is not KEY:ROLE[+ROLE...] (roles: ingest, operate, read)");
            }
            String key = part.substring(0, colon).strip();
            if (key.length() < 16) {
                throw new IllegalArgumentException("vlit.auth.keys entry " + (i + 1)
                        + ": a key must be at least 16 characters long");
            }
            Set<String> roles = new LinkedHashSet<>();
            for (String role : part.substring(colon + 1).split("\\+")) {
                String r = role.strip();
                if (!ROLES.contains(r)) {
                    throw new IllegalArgumentException("vlit.auth.keys entry " + (i + 1) + ": unknown role '" + r
                            + "' (roles: ingest, operate, read)");
                }
                roles.add(r);
            }
            entries.add(new Entry(name, digest(key), Set.copyOf(roles)));
        }
        return new ApiKeys(entries);
    }

    /**
     * The entry whose key equals {@code presented}, if any. Every configured digest is compared (no early
     * exit), each with {@link MessageDigest#isEqual}, so the answer's timing does not depend on the key.
     */
    public Optional<Entry> match(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] candidate = digest(presented);
        Entry found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), candidate) && found == null) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return entries.size();
    }

    @Override
    public String toString() {
        return "ApiKeys" + entries;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
