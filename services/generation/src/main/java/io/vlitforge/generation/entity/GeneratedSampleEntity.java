package io.vlitforge.generation.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** The generation lineage of one sample: which recipe, task, template and seed made it. */
@Entity
@Table(name = "generated_samples")
public class GeneratedSampleEntity extends PanacheEntityBase {

    @Id
    public String sampleId;

    public String imageId;
    public String task;
    public String templateId;
    public String recipeId;
    public String recipeVersion;
    public String recipeHash;
    public long seed;
    public OffsetDateTime createdAt;
}
