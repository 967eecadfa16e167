#if canImport(Glibc)
import Glibc
@usableFromInline func Foundation_log(_ x: Double) -> Double { Glibc.log(x) }
@usableFromInline func Foundation_cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@usableFromInline func Foundation_log(_ x: Double) -> Double { Darwin.log(x) }
@usableFromInline func Foundation_cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
