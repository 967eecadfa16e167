import CPNG
import Foundation

/// Errors thrown while rendering or writing figures.
public enum PlotError: Error, CustomStringConvertible, Equatable {
    /// DejaVu Sans was not found at any of the searched paths.
    case fontNotFound(searched: [String])
    /// The font file exists but FreeType could not open it.
    case fontLoad(path: String, reason: String)
    /// The PNG could not be written (missing folder, no permission, ...).
    case cannotWrite(path: String, reason: String)
    /// The PNG could not be read or decoded.
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case .fontNotFound(let searched):
            return "DejaVu Sans not found (install fonts-dejavu-core or set PLOT_FONT); searched: "
                + searched.joined(separator: ", ")
        case .fontLoad(let path, let reason): return "cannot load font \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write PNG \(path): \(reason)"
        case .cannotRead(let path, let reason): return "cannot read PNG \(path): \(reason)"
        }
    }
}

/// An 8-bit RGBA image, rows top to bottom, encoded and decoded with libpng.
public struct PNGImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 4` bytes: R, G, B, A per pixel, row-major from the top-left.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 4, "RGBA buffer size mismatch")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// The pixel at column `x`, row `y` (0, 0 is the top-left).
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        let i = 4 * (y * width + x)
        return (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }

    /// Decodes any PNG file into 8-bit RGBA.
    public static func read(_ path: String) throws -> PNGImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            let message = pngMessage(image)
            png_image_free(&image)
            throw PlotError.cannotRead(path: path, reason: message)
        }
        image.format = pngFormatRGBA
        let width = Int(image.width), height = Int(image.height)
        var buffer = [UInt8](repeating: 0, count: width * height * 4)
        let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else { throw PlotError.cannotRead(path: path, reason: pngMessage(image)) }
        return PNGImage(width: width, height: height, pixels: buffer)
    }

    /// Encodes the image as an RGBA PNG at `path`, creating missing parent folders.
    /// Throws `PlotError.cannotWrite` when the file cannot be written.
    public func write(to path: String, dpi: Double? = nil) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir) {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw PlotError.cannotWrite(path: path, reason: "cannot create folder \(folder.path)")
            }
        } else if !isDir.boolValue {
            throw PlotError.cannotWrite(path: path, reason: "\(folder.path) is not a folder")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = pngFormatRGBA
        image.flags = UInt32(PNG_IMAGE_FLAG_FAST)
        let ok = pixels.withUnsafeBytes {
            png_image_write_to_file(&image, path, 0, $0.baseAddress, Int32(width * 4), nil)
        }
        guard ok != 0 else {
            let message = pngMessage(image)
            png_image_free(&image)
            throw PlotError.cannotWrite(path: path, reason: message.isEmpty ? "libpng failed" : message)
        }
    }
}

/// The text of libpng's simplified-API error message.
private func pngMessage(_ image: png_image) -> String {
    withUnsafeBytes(of: image.message) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// libpng's PNG_FORMAT_RGBA (PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA), a macro Swift
/// does not import.
private let pngFormatRGBA = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
