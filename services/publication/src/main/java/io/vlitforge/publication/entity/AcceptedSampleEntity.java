package io.vlitforge.publication.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** An accepted sample as it arrived on {@code samples.accepted}; releases are queries over these. */
@Entity
@Table(name = "accepted_samples")
public class AcceptedSampleEntity extends PanacheEntityBase {

    @Id
    public String sampleId;

    public String imageId;
    public String imageKey;
    public String task;
    @Column(columnDefinition = "text")
    public String sampleJson;
    public OffsetDateTime acceptedAt;
    /** The filter verdicts it was accepted with, a JSON array; null for samples stored before they were kept. */
    @Column(columnDefinition = "text")
    public String verdictsJson;
}
