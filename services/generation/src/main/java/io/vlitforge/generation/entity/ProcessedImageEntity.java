package io.vlitforge.generation.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/** An image a recipe has processed, with how many samples it gave. */
@Entity
@Table(name = "processed_images")
@IdClass(ProcessedImageEntity.Key.class)
public class ProcessedImageEntity extends PanacheEntityBase {

    @Id
    public String imageId;
    @Id
    public String recipeId;
    @Id
    public String recipeVersion;

    public int samples;
    public String ingestRunId;
    public OffsetDateTime processedAt;

    /** The composite key (imageId, recipeId, recipeVersion). */
    public static class Key implements Serializable {
        public String imageId;
        public String recipeId;
        public String recipeVersion;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(imageId, k.imageId) && Objects.equals(recipeId, k.recipeId)
                    && Objects.equals(recipeVersion, k.recipeVersion);
        }

        @Override
        public int hashCode() {
            return Objects.hash(imageId, recipeId, recipeVersion);
        }
    }
}
