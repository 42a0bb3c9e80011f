"""Where uploaded images live when several hosts serve the site: an S3-compatible bucket."""

from urllib.parse import urlsplit


def s3_media(*, bucket, endpoint_url="", region="", media_url="", location="", addressing=""):
    """
    The storage settings (django-storages) for media in `bucket`, the public address
    of its files (MEDIA_URL) and that address's origin (for the Content-Security-Policy).

    media_url is where the bucket's files are read from (a CDN in front of it, say):
    by default the bucket's own address at endpoint_url, or at AWS in `region`.
    """
    endpoint_url = endpoint_url.rstrip("/")
    if not media_url:
        if endpoint_url:
            media_url = f"{endpoint_url}/{bucket}/"
        else:
            media_url = f"https://{bucket}.s3{f'.{region}' if region else ''}.amazonaws.com/"
    media_url = media_url.rstrip("/") + "/"
    address = urlsplit(media_url)
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "addressing_style": addressing or None,
            "location": location,
            # Plain public addresses, computed without a call to S3: a cached page never
            # holds a signed address that has expired.
            "custom_domain": address.netloc + address.path.rstrip("/"),
            "url_protocol": f"{address.scheme}:",
            "querystring_auth": False,
            # An upload never replaces another file, and a name never gets new content,
            # so browsers and CDNs may keep each file for good.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    return storage, media_url, f"{address.scheme}://{address.netloc}"
