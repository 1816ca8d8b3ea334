package io.vlitforge.publication.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/** A published release: where its files are, the formats it was written in and the sha256 of its manifest. */
@Entity
@Table(name = "releases")
@IdClass(ReleaseEntity.Key.class)
public class ReleaseEntity extends PanacheEntityBase {

    @Id
    public String name;
    @Id
    public String version;

    public String bucket;
    public String prefix;
    public long samples;
    public long images;
    public String manifestSha256;
    /** Comma-separated, in canonical order (e.g. {@code llava,sharegpt}). */
    public String formats;
    public OffsetDateTime publishedAt;

    /** The composite key (name, version). */
    public static class Key implements Serializable {
        public String name;
        public String version;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(name, k.name) && Objects.equals(version, k.version);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, version);
        }
    }
}
