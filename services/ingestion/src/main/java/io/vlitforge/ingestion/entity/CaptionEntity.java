package io.vlitforge.ingestion.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A caption of an image, with the annotation id it had in its data set. */
@Entity
@Table(name = "captions")
public class CaptionEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String imageId;
    public String dataset;
    public String sourceAnnotationId;
    @Column(columnDefinition = "text")
    public String text;
}
