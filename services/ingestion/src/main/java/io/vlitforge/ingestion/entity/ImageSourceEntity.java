package io.vlitforge.ingestion.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** One place an image appears: its id in a data set. The same bytes from two sets are two rows here. */
@Entity
@Table(name = "image_sources")
@IdClass(ImageSourceEntity.Key.class)
public class ImageSourceEntity extends PanacheEntityBase {

    @Id
    public String dataset;
    @Id
    public String sourceId;

    public String split;
    public String fileName;
    public String imageId;
    public String runId;

    /** The composite key (dataset, sourceId). */
    public static class Key implements Serializable {
        public String dataset;
        public String sourceId;

        public Key() {
        }

        public Key(String dataset, String sourceId) {
            this.dataset = dataset;
            this.sourceId = sourceId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(dataset, k.dataset) && Objects.equals(sourceId, k.sourceId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(dataset, sourceId);
        }
    }
}
