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
        let data = encoded(dpi: dpi)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw PlotError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    /// The PNG file's bytes: 8-bit RGBA, SUB filter and run-length zlib strategy (fast and
    /// compact for figures), with the resolution recorded in a pHYs chunk when `dpi` is given.
    public func encoded(dpi: Double? = nil) -> Data {
        // libpng reports errors through a callback that must not return; writing into memory
        // leaves only programming errors and exhausted memory to report, so those stop here.
        let onError: png_error_ptr = { _, message in
            fatalError("libpng: \(message.map { String(cString: $0) } ?? "unknown error")")
        }
        let onWarning: png_error_ptr = { _, _ in }
        var png = png_create_write_struct(png_get_libpng_ver(nil), nil, onError, onWarning)
        var info = png_create_info_struct(png)
        defer { png_destroy_write_struct(&png, &info) }
        let sink = PNGSink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        png_set_write_fn(png, unmanaged.toOpaque(), { png, bytes, count in
            guard let io = png_get_io_ptr(png), let bytes else { return }
            Unmanaged<PNGSink>.fromOpaque(io).takeUnretainedValue().bytes
                .append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
        }, { _ in })
        png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8, 6 /* RGBA */, 0, 0, 0)
        if let dpi, dpi.isFinite, dpi > 0 {
            let perMeter = png_uint_32((dpi / 0.0254).rounded())
            png_set_pHYs(png, info, perMeter, perMeter, 1 /* metre */)
        }
        png_set_filter(png, 0, 0x10 /* PNG_FILTER_SUB */)
        png_set_compression_strategy(png, 3 /* Z_RLE */)
        png_set_compression_level(png, 6)
        png_write_info(png, info)
        pixels.withUnsafeBufferPointer { buf in
            let base = UnsafeMutablePointer(mutating: buf.baseAddress!)
            var rows: [UnsafeMutablePointer<UInt8>?] = (0..<height).map { base + $0 * width * 4 }
            png_write_image(png, &rows)
        }
        png_write_end(png, nil)
        return Data(sink.bytes)
    }
}

/// Collects the bytes libpng writes.
private final class PNGSink {
    var bytes: [UInt8] = []
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
