/// File extensions DSLRKit reads as photos (lower case), for finding photos in folders.
public let photoExtensions: Set<String> = ["jpg", "jpeg", "png", "tif", "tiff", "webp", "heic", "heif"]
