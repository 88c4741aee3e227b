//! Refactoring guard: every bundled scenario and every conformance probe must give exactly the
//! trace it gave before (the engine's rolling hash), and the same English, Chinese and JSON
//! renderings of it. A change of behaviour changes a figure here on purpose, in its own commit,
//! with the reason in the message.
//!
//! `WARREN_PRINT_GOLDEN=1 cargo test --test golden_traces -- --nocapture` prints the table.

use std::sync::Arc;
use warren::explain::{json, text, Lang};
use warren::scenario::{bundled, Scenario};
use warren::session::Session;

/// FNV-1a over the rendered lines: a fingerprint of what a reader sees.
fn fnv(lines: impl Iterator<Item = String>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for l in lines {
        for b in l.bytes().chain(std::iter::once(b'\n')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn fingerprint(scenario: Scenario) -> (u64, u64, u64, u64) {
    let mut s = Session::new(Arc::new(scenario), true);
    // A cap hit is part of the behaviour too: the records up to it are fingerprinted.
    let _ = s.run();
    let en = s.ctx(Lang::En);
    let en_hash = fnv(s.trace.records().iter().map(|r| text::line(&en, r, 12)));
    let json_hash = fnv(s.trace.records().iter().map(|r| json::record(&en, r).to_string()));
    let zh = s.ctx(Lang::Zh);
    let zh_hash = fnv(s.trace.records().iter().map(|r| text::line(&zh, r, 12)));
    (s.trace.hash(), en_hash, zh_hash, json_hash)
}

fn cases() -> Vec<(String, Scenario)> {
    let mut out = Vec::new();
    for name in bundled::names() {
        let sc = Scenario::load(name).unwrap();
        for seed in [sc.seed, 7] {
            out.push((format!("{name}@{seed}"), sc.with_seed(seed)));
        }
    }
    // The conformance probes, and random scenarios the explorer's generators once made (with
    // faults of every kind), kept as files so that the generators may change.
    for (dir, tag) in [("tests/conformance_diff", "probe"), ("tests/golden", "gen")] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        files.sort();
        for p in files {
            let sc = Scenario::load(p.to_str().unwrap()).unwrap();
            out.push((format!("{tag}:{}", p.file_stem().unwrap().to_string_lossy()), sc));
        }
    }
    out
}

#[test]
fn traces_and_their_renderings_are_unchanged() {
    let print = std::env::var_os("WARREN_PRINT_GOLDEN").is_some();
    let mut failures = Vec::new();
    for (name, sc) in cases() {
        let got = fingerprint(sc);
        if print {
            println!("    (\"{name}\", {:#018x}, {:#018x}, {:#018x}, {:#018x}),", got.0, got.1, got.2, got.3);
            continue;
        }
        match GOLDEN.iter().find(|g| g.0 == name) {
            None => failures.push(format!("{name}: no golden figures")),
            Some(g) if (g.1, g.2, g.3, g.4) != got => failures.push(format!(
                "{name}: trace {:#x} (was {:#x}), en {:#x} (was {:#x}), zh {:#x} (was {:#x}), json {:#x} (was {:#x})",
                got.0, g.1, got.1, g.2, got.2, g.3, got.3, g.4
            )),
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "changed:\n{}", failures.join("\n"));
}

/// (case, trace hash, English text, Chinese text, JSON lines)
const GOLDEN: &[(&str, u64, u64, u64, u64)] = &[
    ("hello@1", 0x98c6cc84aeec3765, 0xddd47ccd786e4246, 0x22196cff5275dc7a, 0x283ccda14f6a02b6),
    ("hello@7", 0x98c6cc84aeec3765, 0xddd47ccd786e4246, 0x22196cff5275dc7a, 0x283ccda14f6a02b6),
    ("work-queues@7", 0x292eb2d9a8f05eac, 0x3a2080b0fc5672ca, 0x659746614cbf1f25, 0x98cdd6650a160b3e),
    ("work-queues@7", 0x292eb2d9a8f05eac, 0x3a2080b0fc5672ca, 0x659746614cbf1f25, 0x98cdd6650a160b3e),
    ("ack-redelivery@11", 0x196207bc22ffad74, 0x1a39b5cf8ef585e1, 0x416c68251e8cd15c, 0x0d0b49f6cc3cbc5b),
    ("ack-redelivery@7", 0x196207bc22ffad74, 0x1a39b5cf8ef585e1, 0x416c68251e8cd15c, 0x0d0b49f6cc3cbc5b),
    ("durability@3", 0x175fe9a212ff6e28, 0x610c05bf2f12bc3d, 0x903e28b079b91410, 0x9db87ebcaa555e39),
    ("durability@7", 0x175fe9a212ff6e28, 0x610c05bf2f12bc3d, 0x903e28b079b91410, 0x9db87ebcaa555e39),
    ("fair-dispatch@5", 0xde0e1e507725ea82, 0x8c990fdb2a48f8e1, 0x2aee31504416872e, 0x33af367e4ad6a440),
    ("fair-dispatch@7", 0xde0e1e507725ea82, 0x8c990fdb2a48f8e1, 0x2aee31504416872e, 0x33af367e4ad6a440),
    ("fanout-logs@2", 0x6ab0b13ac8e6ee3c, 0x42b52e608289784e, 0xbe724b76a7ce0e3e, 0xcac10a2ae653d5dd),
    ("fanout-logs@7", 0x6ab0b13ac8e6ee3c, 0x5ec3dec2aacb9460, 0x43c4866183bbdaf2, 0x4b0f1e2a4370fb42),
    ("direct-logs@4", 0x6f0f30e64129c88a, 0xfe7c0c82b6146b56, 0xe2d833074482500d, 0xdddb8601bbb2d45d),
    ("direct-logs@7", 0x6f0f30e64129c88a, 0xbafea49bd4cf5d3a, 0x37ddc519f8966619, 0xd33958ab46fc6193),
    ("topic-logs@6", 0xcae90171d122b5c7, 0x91e58528018f05df, 0x21fd9e01b3dc7e39, 0x0e47388b732907c1),
    ("topic-logs@7", 0xcae90171d122b5c7, 0xadffb4069172ae65, 0x8daa2dd7bc0b8f09, 0xfee2f257e503c4ed),
    ("headers@8", 0xb2e49be27b717e51, 0xcf0e6c6758a76fca, 0x92a272f1c1df61de, 0x2f7e33f92097929d),
    ("headers@7", 0xb2e49be27b717e51, 0xcf0e6c6758a76fca, 0x92a272f1c1df61de, 0x2f7e33f92097929d),
    ("rpc@9", 0xd59129035e39b63f, 0x364716560e690774, 0xf64e8888850b97d3, 0x49658a6034562dfa),
    ("rpc@7", 0xd59129035e39b63f, 0x8f50560ec7744239, 0xd7177d0f8db67640, 0x58a351fa69bdef17),
    ("publisher-confirms@12", 0x4977df4337f73747, 0x58263e660c58d69d, 0x31be64e16e253bd4, 0xa7d01103cbf511c8),
    ("publisher-confirms@7", 0x4977df4337f73747, 0x58263e660c58d69d, 0x31be64e16e253bd4, 0xa7d01103cbf511c8),
    ("pitfall-wrong-queue@13", 0x197bac6d856b281a, 0x2c88c631500879d5, 0xdd029f24bdac134c, 0x522427035edf87fe),
    ("pitfall-wrong-queue@7", 0x197bac6d856b281a, 0x2c88c631500879d5, 0xdd029f24bdac134c, 0x522427035edf87fe),
    ("pitfall-missing-reply-to@14", 0x880d9d9898854394, 0xa06daebfc2253a22, 0x1f227a976aa36f44, 0xc7ed93b1ce9dd80a),
    ("pitfall-missing-reply-to@7", 0x880d9d9898854394, 0xa06daebfc2253a22, 0x1f227a976aa36f44, 0xc7ed93b1ce9dd80a),
    ("pitfall-redeclare@15", 0x79ea5c2761a6769c, 0x309d0a37c451225c, 0x0f67c56ec48536b0, 0x807d91255f24a9c3),
    ("pitfall-redeclare@7", 0x79ea5c2761a6769c, 0x309d0a37c451225c, 0x0f67c56ec48536b0, 0x807d91255f24a9c3),
    ("pitfall-unconfirmed-loss@16", 0x136952b7114bc2b2, 0xe94442219e8ce5fb, 0xa9e32ccde1449ab3, 0x83afcbd1d0534d65),
    ("pitfall-unconfirmed-loss@7", 0x136952b7114bc2b2, 0xe94442219e8ce5fb, 0xa9e32ccde1449ab3, 0x83afcbd1d0534d65),
    ("ttl-and-dead-letters@17", 0x31b0e8da8d99555a, 0x9b51756f0d0470d1, 0x1767434ac7831add, 0xfe3b77ee2c6b02f6),
    ("ttl-and-dead-letters@7", 0x31b0e8da8d99555a, 0x9b51756f0d0470d1, 0x1767434ac7831add, 0xfe3b77ee2c6b02f6),
    ("explore-auto-ack@21", 0xd8d843c6e1d2ab2b, 0x9eae86759037fc4b, 0x72d62b6bb8892165, 0xd163284c47802b3c),
    ("explore-auto-ack@7", 0xd8d843c6e1d2ab2b, 0x9eae86759037fc4b, 0x72d62b6bb8892165, 0xd163284c47802b3c),
    ("probe:deadletter", 0xc384665a71f6f88d, 0xa6d6924f98e3d464, 0x11779d7ef0f62cf4, 0xbd6dd7b29fc77fcf),
    ("probe:errors", 0xc7dfa259e1cbcfdb, 0x24ca6f6c5db25317, 0x573cd238c0b92e03, 0x2f804f10b7b39c4b),
    ("probe:limits", 0xf9a406231074b220, 0x29c66b1729f1626c, 0x754a7abfd0e4a102, 0x9dc868b7d048b2c5),
    ("probe:requeue", 0x5151903ed49209c1, 0x0c8559846a1a5322, 0x0701806d27b26965, 0x7ecf462a37c0e26b),
    ("gen:gen-0-00", 0x275e3351489ce34f, 0x6450e663f2ef7671, 0x874f325960007079, 0x85eae1ca8477e8b9),
    ("gen:gen-0-01", 0x0e3f17d482b41c76, 0x5a223b5ab12d1e4d, 0x1b044c3b57f62547, 0x327e46263096db6a),
    ("gen:gen-0-02", 0xe57990a8804f8185, 0x79a439915e856160, 0x266cd3f850a7a561, 0xdf99d19815790b1c),
    ("gen:gen-0-03", 0x717043c8f1e460b1, 0x02fc0efa937bb20a, 0xc33fcd0e0d758abd, 0x879d0623b5646a5a),
    ("gen:gen-0-04", 0x99578788bc4f8c97, 0x8da9572af6a985a0, 0x2b83a5d88217d83b, 0x1ac3ca9c24699bff),
    ("gen:gen-0-05", 0x0d27eee84b7c30b4, 0xa07f0bc6c4c812ea, 0xde8be9971f6be55d, 0x42e40055fb97519e),
    ("gen:gen-0-06", 0x6804656bdc20341c, 0x98a3d4e73c816108, 0xcd16306372421bdb, 0x0dd70901f084cdf3),
    ("gen:gen-0-07", 0x7d4f1fc78adaab6e, 0x3fd271e585afcd17, 0x914e4fc50620867c, 0x7d30aa335d388438),
    ("gen:gen-0-08", 0x8b2cce54effa28f7, 0x4ff77cb93f7b7d37, 0xca6ef6397a4fd689, 0x5247c7ac90f15e72),
    ("gen:gen-0-09", 0x04f3a0b8498d50b2, 0xcf2fd08d4229f289, 0x71dfb5ee41b05892, 0x25ece5671ac4a9b0),
    ("gen:gen-0-10", 0x862554cb14d34902, 0xbb94577c1927d4f9, 0xce74adc4d52c0c23, 0x78ba03dc68c04537),
    ("gen:gen-0-11", 0x0463bae0c3b9a323, 0xb980a14b9e69ade7, 0x633929d9824920f2, 0xaa15bcff119f4e13),
    ("gen:gen-1-00", 0x52d605ec804c3fa9, 0x4c1ce343f533b347, 0x8413abb6bad7fbe8, 0xeea01f5e3e9cebee),
    ("gen:gen-1-01", 0xb6904c6cb5db7316, 0xf6d1517015705415, 0x7fe65288f9bbcdd9, 0x8510b2465477d3a9),
    ("gen:gen-1-02", 0xf804e1b2e1bf07d8, 0xc4ce17a4fc60aecc, 0xfafe2d1604236b8a, 0x2f20d01029f18c8e),
    ("gen:gen-1-03", 0x9b5035ab00d01641, 0x02718a48f993bfac, 0xa3b49c9bf005c3e6, 0x43ca93e1fadc77d1),
    ("gen:gen-1-04", 0x6a9bec2fb8312f03, 0xb508a35da8d095d2, 0x042e568620629bc3, 0xfeff37d0d9f70da8),
    ("gen:gen-1-05", 0xfc81db323fde0bc4, 0xb0e77e8044ee6b03, 0x0399d283ce135ea5, 0x80e21a0116823537),
    ("gen:gen-1-06", 0x923af2b2c21f3002, 0xe58a5689b7cdb0ab, 0x494767a4eb79a1da, 0x766656939aae0684),
    ("gen:gen-1-07", 0x8216278bb7808fc8, 0xb92ec8bbd79b7b7c, 0x0d0951d68342fe00, 0x97e7b69f1c95c5f8),
    ("gen:gen-1-08", 0xe6162027304b83d7, 0xba6e23f9f99845d2, 0x618822952de62ed0, 0x4a58ec7b980e09ee),
    ("gen:gen-1-09", 0xe0bb279aa0a7cf8d, 0xdce8969cb8af91fc, 0xeb4b648db351219a, 0x0c47a9c752963f37),
    ("gen:gen-1-10", 0xcd76f9babd998822, 0xc0c2c66a609b3f6c, 0x418999e3353446f3, 0x0c23b35727465a09),
    ("gen:gen-1-11", 0x7efed99b25277843, 0x77c54b0da691366b, 0x28924d4ee8dcb394, 0x593741ffaf5ec12e),
    ("gen:gen-2-00", 0x9018e61d833d0f84, 0x08526bf47c3d8268, 0x4a2e6e221722829a, 0x2b6bec9db39a7cea),
    ("gen:gen-2-01", 0x114cff5ecd327b72, 0x8be406ba48ebb271, 0xdd9102d7e9b2b79e, 0x5823450c33b3641e),
    ("gen:gen-2-02", 0x820bafac8d2c09b3, 0x98a799808b15340b, 0xbb0f4f14b8a7360a, 0xb4508b7228b31700),
    ("gen:gen-2-03", 0x97ef3571686aae1b, 0x9d76788276fe4e65, 0x62df8c963205e8fa, 0xbb1addb36553deb2),
    ("gen:gen-2-04", 0xaf1c1702a5f5e166, 0xcbc26426669b13c6, 0xcb0842b5baf66796, 0xacb028d1763a7d9b),
    ("gen:gen-2-05", 0x29c732775869ef9c, 0xf812d88681867dcd, 0xe75637c53f8f4329, 0x8696af94bd174a99),
    ("gen:gen-2-06", 0x3593bd2cc0bec5c3, 0xf5b0f0a188755717, 0xdc2e0a12e9b4bacd, 0x8fb542a96a68db53),
    ("gen:gen-2-07", 0xd24830e08f536dbf, 0x14307bc544ef5397, 0x24a2e683eb6b2854, 0x557afa01478d603b),
    ("gen:gen-2-08", 0xe54c86ba7def614b, 0x7e629771ddd6c14d, 0xce6941c2ff53c9dd, 0xd011ea595fbdd5df),
    ("gen:gen-2-09", 0x592c147a92bb2f93, 0x467b6480c8570fef, 0xa7dad125e35b37ff, 0xa93617338745c3cc),
    ("gen:gen-2-10", 0x1b99802ac218e665, 0xb30755544ea5a4cc, 0x71d13b0d6673ba31, 0x1f30d3ea324cd145),
    ("gen:gen-2-11", 0x347302bc24fcde30, 0xa4d3e4803cada695, 0x5f6c2dcefcc34e3c, 0x205b07f7b6c45e41),
];
