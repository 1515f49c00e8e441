/** Image sizes as displayed (EXIF orientation applied), read from the file's header by sharp. */
import sharp from 'sharp'

export const IMAGE_EXTENSIONS = /\.(jpe?g|png|bmp|gif|webp|tiff?)$/i

export async function imageSize(path: string): Promise<{ width: number; height: number } | null> {
  try {
    const meta = await sharp(path).metadata()
    const oriented = meta.autoOrient
    const width = oriented?.width ?? meta.width
    const height = oriented?.height ?? meta.height
    return width && height ? { width, height } : null
  } catch {
    return null
  }
}
