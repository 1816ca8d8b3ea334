package io.vlitforge.ingestion.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** An image or annotation an import refused, with a stable reason code and what exactly was wrong. */
@Entity
@Table(name = "ingest_rejections")
public class IngestRejectionEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String runId;
    public String item;
    public String reason;
    @Column(columnDefinition = "text")
    public String detail;
    public OffsetDateTime createdAt;
}
