package io.vlitforge.ingestion.entity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** An image stored once in the object store, whatever data sets it came from. */
@Entity
@Table(name = "images")
public class ImageEntity extends PanacheEntityBase {

    @Id
    @Column(name = "image_id")
    public String imageId;

    public String objectKey;
    public String format;
    public int width;
    public int height;
    public long byteSize;
    public String licenceName;
    public String licenceUrl;
    public OffsetDateTime createdAt;
}
