import Testing
@testable import TriageCore
import _TriageTestSupport

@Suite struct ByteKeyTableTests {
    static func index(_ table: ByteKeyTable<Int>, _ key: [UInt8], value: Int) -> Int? {
        key.withUnsafeBufferPointer { table.index(of: $0, make: { value }) }
    }

    static func find(_ table: ByteKeyTable<Int>, _ key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { table.find($0) }
    }

    @Test(arguments: [true, false])
    func keysSharingTheirInlinePrefixAreToldApartByTheirTail(inlineKeys: Bool) {
        let table = ByteKeyTable<Int>(limit: 100, inlineKeys: inlineKeys)
        let prefix = Array(repeating: UInt8(ascii: "7"), count: ByteKeyTable<Int>.inlineCapacity)
        let keys = [prefix, prefix + [1], prefix + [2], prefix + [1, 0], prefix + Array(repeating: 9, count: 20),
                    prefix + Array(repeating: 9, count: 21)]
        for (i, key) in keys.enumerated() { #expect(Self.index(table, key, value: i) == i) }
        for (i, key) in keys.enumerated() {
            #expect(Self.find(table, key) == i)
            #expect(table.keys[i] == key)
        }
        #expect(Self.find(table, prefix + [3]) == nil)
    }

    @Test(arguments: [true, false])
    func aKeysLengthIsPartOfItEvenWhenItEndsInZeroBytes(inlineKeys: Bool) {
        let table = ByteKeyTable<Int>(limit: 100, inlineKeys: inlineKeys)
        let keys: [[UInt8]] = [[], [0], [0, 0], [97], [97, 0], [97, 0, 0, 0, 0, 0, 0, 0], [97, 0, 0, 0, 0, 0, 0, 0, 0]]
        for (i, key) in keys.enumerated() { #expect(Self.index(table, key, value: i) == i) }
        #expect(table.count == keys.count)
        for (i, key) in keys.enumerated() { #expect(Self.find(table, key) == i) }
    }

    /// Random keys from a two-letter alphabet (so many share prefixes), of every length up to
    /// 40, against a dictionary: through every growth of the slots, and past the limit.
    @Test(arguments: [(true, UInt64(1)), (true, 2), (false, 3)])
    func findsWhatADictionaryFindsThroughGrowthAndPastItsLimit(inlineKeys: Bool, seed: UInt64) {
        var random = SplitMix64(state: seed)
        let limit = 3_000
        let table = ByteKeyTable<Int>(limit: limit, inlineKeys: inlineKeys)
        var model: [[UInt8]: Int] = [:]
        for step in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &random)
            let key = (0..<length).map { _ in UInt8.random(in: 0...1, using: &random) &+ 48 }
            let got = Self.index(table, key, value: step)
            if let known = model[key] {
                #expect(got == known)
            } else if model.count < limit {
                #expect(got == model.count)
                model[key] = model.count
            } else {
                #expect(got == nil)
            }
        }
        #expect(table.count == model.count)
        for (key, index) in model {
            #expect(Self.find(table, key) == index)
            #expect(table.keys[index] == key)
            #expect(table.values[index] >= index)
        }
    }

    @Test func aKeyPreparedBeforeTheTableGrewIsStillFound() {
        let table = ByteKeyTable<Int>(limit: 10_000)
        let key = Array("203.0.113.7".utf8)
        let early = key.withUnsafeBufferPointer { table.prepare($0) }
        for i in 0..<1_000 { _ = Self.index(table, Array("10.0.\(i / 256).\(i % 256)".utf8), value: i) }
        let inserted = key.withUnsafeBufferPointer { table.index(of: $0, prepared: early, make: { -1 }) }
        #expect(inserted == 1_000)
        let late = key.withUnsafeBufferPointer { table.prepare($0) }
        #expect(key.withUnsafeBufferPointer { table.find($0, prepared: late) } == 1_000)
        #expect(Self.find(table, Array("10.0.3.231".utf8)) == 999)
    }
}
