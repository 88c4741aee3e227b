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
    ("ack-redelivery@11", 0x196207bc22ffad74, 0x1a39b5cf8ef585e1, 0x416c68251e8cd15c, 0xd5653c8a010aa57b),
    ("ack-redelivery@7", 0x196207bc22ffad74, 0x1a39b5cf8ef585e1, 0x416c68251e8cd15c, 0xd5653c8a010aa57b),
    ("durability@3", 0x175fe9a212ff6e28, 0x610c05bf2f12bc3d, 0x903e28b079b91410, 0xbd9026eb2a3bb606),
    ("durability@7", 0x175fe9a212ff6e28, 0x610c05bf2f12bc3d, 0x903e28b079b91410, 0xbd9026eb2a3bb606),
    ("fair-dispatch@5", 0xde0e1e507725ea82, 0x8c990fdb2a48f8e1, 0x2aee31504416872e, 0x33af367e4ad6a440),
    ("fair-dispatch@7", 0xde0e1e507725ea82, 0x8c990fdb2a48f8e1, 0x2aee31504416872e, 0x33af367e4ad6a440),
    ("fanout-logs@2", 0x6ab0b13ac8e6ee3c, 0x42b52e608289784e, 0xbe724b76a7ce0e3e, 0x0ef3826ae55b616b),
    ("fanout-logs@7", 0x6ab0b13ac8e6ee3c, 0x5ec3dec2aacb9460, 0x43c4866183bbdaf2, 0x83108f16f494691e),
    ("direct-logs@4", 0x6f0f30e64129c88a, 0xfe7c0c82b6146b56, 0xe2d833074482500d, 0xbf3dfe68b105c45d),
    ("direct-logs@7", 0x6f0f30e64129c88a, 0xbafea49bd4cf5d3a, 0x37ddc519f8966619, 0xbd0062027c6e5903),
    ("topic-logs@6", 0xcae90171d122b5c7, 0x91e58528018f05df, 0x21fd9e01b3dc7e39, 0x86f62fbb209867ee),
    ("topic-logs@7", 0xcae90171d122b5c7, 0xadffb4069172ae65, 0x8daa2dd7bc0b8f09, 0x16378350b4c1a64c),
    ("headers@8", 0xb2e49be27b717e51, 0xcf0e6c6758a76fca, 0x92a272f1c1df61de, 0x8f88f4a9048230db),
    ("headers@7", 0xb2e49be27b717e51, 0xcf0e6c6758a76fca, 0x92a272f1c1df61de, 0x8f88f4a9048230db),
    ("rpc@9", 0xd59129035e39b63f, 0x364716560e690774, 0xf64e8888850b97d3, 0xa54f2f6bee3d23fb),
    ("rpc@7", 0xd59129035e39b63f, 0x8f50560ec7744239, 0xd7177d0f8db67640, 0xd7bd6b19d2e1de10),
    ("publisher-confirms@12", 0x4977df4337f73747, 0x58263e660c58d69d, 0x31be64e16e253bd4, 0x6cf19dbc3b8e7f68),
    ("publisher-confirms@7", 0x4977df4337f73747, 0x58263e660c58d69d, 0x31be64e16e253bd4, 0x6cf19dbc3b8e7f68),
    ("pitfall-wrong-queue@13", 0x197bac6d856b281a, 0x2c88c631500879d5, 0xdd029f24bdac134c, 0x522427035edf87fe),
    ("pitfall-wrong-queue@7", 0x197bac6d856b281a, 0x2c88c631500879d5, 0xdd029f24bdac134c, 0x522427035edf87fe),
    ("pitfall-missing-reply-to@14", 0x880d9d9898854394, 0xa06daebfc2253a22, 0x1f227a976aa36f44, 0xad8a75d25ee6864d),
    ("pitfall-missing-reply-to@7", 0x880d9d9898854394, 0xa06daebfc2253a22, 0x1f227a976aa36f44, 0xad8a75d25ee6864d),
    ("pitfall-redeclare@15", 0x79ea5c2761a6769c, 0x309d0a37c451225c, 0x0f67c56ec48536b0, 0x257e7cf8f14e24e3),
    ("pitfall-redeclare@7", 0x79ea5c2761a6769c, 0x309d0a37c451225c, 0x0f67c56ec48536b0, 0x257e7cf8f14e24e3),
    ("pitfall-unconfirmed-loss@16", 0x136952b7114bc2b2, 0xe94442219e8ce5fb, 0xa9e32ccde1449ab3, 0xde472021d7222cf2),
    ("pitfall-unconfirmed-loss@7", 0x136952b7114bc2b2, 0xe94442219e8ce5fb, 0xa9e32ccde1449ab3, 0xde472021d7222cf2),
    ("pitfall-ack-every@21", 0x7fb3833cf9c4c8bc, 0x4877c260af601b4a, 0x8ae25fb4d94d4159, 0xc2b00f77c5359891),
    ("pitfall-ack-every@7", 0x7fb3833cf9c4c8bc, 0x4877c260af601b4a, 0x8ae25fb4d94d4159, 0xc2b00f77c5359891),
    ("ttl-and-dead-letters@17", 0x31b0e8da8d99555a, 0x9b51756f0d0470d1, 0x1767434ac7831add, 0x70fe55e7d031c2e9),
    ("ttl-and-dead-letters@7", 0x31b0e8da8d99555a, 0x9b51756f0d0470d1, 0x1767434ac7831add, 0x70fe55e7d031c2e9),
    ("priorities@21", 0x43147ac350dfd3dc, 0x529af4c6e8d5e49e, 0x5b88a20db58b5a62, 0x249d642e974464d5),
    ("priorities@7", 0x43147ac350dfd3dc, 0x529af4c6e8d5e49e, 0x5b88a20db58b5a62, 0x249d642e974464d5),
    ("quorum-vs-classic@24", 0xa11e443525d42d49, 0x06c8f69b1b7e1b22, 0xed41e7947295c423, 0x24207f7b59ed4996),
    ("quorum-vs-classic@7", 0xa11e443525d42d49, 0x06c8f69b1b7e1b22, 0xed41e7947295c423, 0x24207f7b59ed4996),
    ("poison-message@23", 0x7628cdaf825a354b, 0x0d3802d5d29e4f08, 0x823fe859aeb24b12, 0x8f81b17f6bd3b055),
    ("poison-message@7", 0x7628cdaf825a354b, 0x0d3802d5d29e4f08, 0x823fe859aeb24b12, 0x8f81b17f6bd3b055),
    ("consumer-timeout@22", 0xbdbd2382f59a085e, 0xaea26a593b0ca832, 0xada9a357dc77477d, 0x24e96494876e515f),
    ("consumer-timeout@7", 0xbdbd2382f59a085e, 0xaea26a593b0ca832, 0xada9a357dc77477d, 0x24e96494876e515f),
    ("explore-auto-ack@21", 0xd8d843c6e1d2ab2b, 0x9eae86759037fc4b, 0x72d62b6bb8892165, 0xd163284c47802b3c),
    ("explore-auto-ack@7", 0xd8d843c6e1d2ab2b, 0x9eae86759037fc4b, 0x72d62b6bb8892165, 0xd163284c47802b3c),
    ("probe:broker-left-down", 0xc75e19b5c53da6d6, 0x7a25c1c969cab309, 0xf125fbe777c6514a, 0x2d9e71383c07f4ba),
    ("probe:cancel-mid-work", 0x6e81c692f2f801bf, 0x33562c40c77eb9e7, 0x8996f6496555bc51, 0x28b672cf29da57f6),
    ("probe:client-actions", 0x5b7b1459cee88731, 0xeef6d680aa26d88f, 0xd395345e850d5dc8, 0x75db61b32f3636a4),
    ("probe:crash-while-reconnecting", 0x5d40742032f15827, 0x23ad02454b026c8d, 0xdffb67ba6d026b0a, 0x913a54090cb3622b),
    ("probe:deadletter", 0xc384665a71f6f88d, 0xa6d6924f98e3d464, 0x11779d7ef0f62cf4, 0xfc603c7680f567b6),
    ("probe:errors", 0xc7dfa259e1cbcfdb, 0x24ca6f6c5db25317, 0x573cd238c0b92e03, 0xb0d656c5baa2f94b),
    ("probe:exchange-props", 0x4ccfb598f7338b52, 0x5fb618e41a3d30d3, 0xa5f0a1d512eafd10, 0x54ce99876c5d0c1d),
    ("probe:get-and-death", 0xdc95fc26368d0f1d, 0xab31c67a2f893438, 0x43070be1f0c14765, 0xa34f72cd3bea5540),
    ("probe:headers-deadletter", 0x9e47eddc58f06c5f, 0x84661be6984baae7, 0xb6f38425487055a0, 0x7c51158a704f63e8),
    ("probe:limits", 0xf9a406231074b220, 0x29c66b1729f1626c, 0x754a7abfd0e4a102, 0xdebe5f0b16f265f7),
    ("probe:maxlen-requeue", 0x543137ef434175ef, 0xdd3192b61cda3a04, 0x396ef4221dcd2314, 0xc3582be40c5536c9),
    ("probe:misc-keys", 0xd8e825f63a74c53d, 0x775efef134f946fd, 0xe9335d1f38c443a2, 0x9ba301bcb0f50b58),
    ("probe:pika-read-after-channel-close", 0xd7d9637d1f8b6c2e, 0xb04285ee906c3fe1, 0x2138e42b5b3bd958, 0x21dd150a9eeb6786),
    ("probe:pika-read-after-loss", 0x06854081b6867ef6, 0x40dd9bd2d6cd00ee, 0xafad73f20540f13e, 0x61df0c1b136f768c),
    ("probe:priority", 0x21f372760d604f2e, 0xb0508a2e4cf8dc0e, 0xe0059daaf3eeafa1, 0x46ab4604fe142495),
    ("probe:quorum-actions", 0x8dba8dc0bf0ce919, 0xd39199368f63aaf4, 0xd845867e758c1b98, 0x5541da6d183331ea),
    ("probe:quorum-closing", 0x97ede64c28c2319e, 0xb684f15c0b9eb977, 0x62756f201b6905d8, 0x882ad933cedb84b1),
    ("probe:quorum-credit-order", 0xbb4789c35c42c7fa, 0x14d1d066eec90f6a, 0x94cd3ae3e7813ecd, 0xdb551b240040c948),
    ("probe:quorum-dead-letter-order", 0xf3ea0305a5e7af9a, 0xb930d768f35f7b8c, 0xfa96eeba0ccd23e9, 0x798826eaf08d780a),
    ("probe:quorum-delivery-limit-credit", 0x3c1fba7fb8aa4325, 0x4a427bf11fa778d3, 0xe66c69b5c339903e, 0xb97dfad602992502),
    ("probe:quorum-global-qos", 0xe2ad4c35ced50c73, 0x161d1b769ef1a03f, 0x07887e0a5e0268c8, 0x37e361e52ad521fb),
    ("probe:quorum-limit-after-checkout", 0x3dbe39ac81343e0c, 0x98a71f95dd751d01, 0xcd28b1678a24159f, 0xffbc4418d4670736),
    ("probe:quorum-new-publisher", 0xcd84f3c352547269, 0x75af8767da6c92d1, 0x09b6d0d206679a0e, 0x0f0ebd34bb769cfd),
    ("probe:quorum-restart-delivery-limit", 0xc00afa88185dc028, 0x0ac527e3db19ad7e, 0xcd2ee59d16f95231, 0x03f8b35143dea36c),
    ("probe:quorum-timeout", 0xaa8857ebe2c93698, 0xa227ef9304b8a004, 0xba2c847faf099d70, 0xe667f451a6035455),
    ("probe:quorum", 0xf48634cc5366fcaa, 0xc3439632367a1237, 0xe6875aa19016a087, 0xa8f1f1eeb986719e),
    ("probe:reconnect-order", 0x1c68baf8e7a80fb0, 0xbd5aeffc41981263, 0x5e4d46b1637754fa, 0x1a13c26e26c61390),
    ("probe:requeue", 0x7a9872ac0626db5a, 0x3f63912d3c00a550, 0xeecbe476f338d220, 0xf1506298e70b8fb0),
    ("probe:rpc-direct-mandatory", 0x02ccc27bd5b8ea1b, 0x7a715eedce8b59f9, 0xc379fb2d129e22d0, 0x6118127e5d18dbad),
    ("probe:sac-priority", 0x28d4b6dd8275815f, 0xa923313b68022ae2, 0xca9f792c4ece23cd, 0x02bb57ce47fc5357),
    ("probe:ttl-after-requeue", 0x45bfe9374998d3c8, 0x8af25c749f1216e9, 0x89e1b966fe58d9e4, 0x3671bbf86abbbb5d),
    ("probe:ttl-priority-head", 0x58da1a2be468f73d, 0x7860805308094439, 0xa7bf7f6b5ba4b10c, 0xed044964b52ac8b9),
    ("probe:ttl-reading", 0x5a4c021c987fbcaa, 0x708dd7f21b67297e, 0x95693aa42ff5adf9, 0xeec217a2d072665b),
    ("gen:gen-0-00", 0x275e3351489ce34f, 0x6450e663f2ef7671, 0x874f325960007079, 0x058fb9f696812fb1),
    ("gen:gen-0-01", 0x0e3f17d482b41c76, 0x5a223b5ab12d1e4d, 0x1b044c3b57f62547, 0x487249d35a82e323),
    ("gen:gen-0-02", 0x6cf1c734d69aa970, 0x834d54700292ab0d, 0xaca7a4b9537edcaf, 0x9cd3fe740fe12709),
    ("gen:gen-0-03", 0x717043c8f1e460b1, 0x02fc0efa937bb20a, 0xc33fcd0e0d758abd, 0xa076f99460c94cf9),
    ("gen:gen-0-04", 0x99578788bc4f8c97, 0x8da9572af6a985a0, 0x2b83a5d88217d83b, 0x99a9e65f11a708d5),
    ("gen:gen-0-05", 0x0d27eee84b7c30b4, 0xa07f0bc6c4c812ea, 0xde8be9971f6be55d, 0x1bcc10952de1c793),
    ("gen:gen-0-06", 0x6804656bdc20341c, 0x98a3d4e73c816108, 0xcd16306372421bdb, 0xc22f76428dbf4035),
    ("gen:gen-0-07", 0x7d4f1fc78adaab6e, 0x3fd271e585afcd17, 0x914e4fc50620867c, 0x3d53fd56a398d2b6),
    ("gen:gen-0-08", 0x8b2cce54effa28f7, 0x4ff77cb93f7b7d37, 0xca6ef6397a4fd689, 0x927fa76c55fac868),
    ("gen:gen-0-09", 0x04f3a0b8498d50b2, 0xcf2fd08d4229f289, 0x71dfb5ee41b05892, 0xb269af89596f7de1),
    ("gen:gen-0-10", 0x862554cb14d34902, 0xbb94577c1927d4f9, 0xce74adc4d52c0c23, 0x9d97e2f6a46b091c),
    ("gen:gen-0-11", 0x0463bae0c3b9a323, 0xb980a14b9e69ade7, 0x633929d9824920f2, 0x71c0ba6cb3a03f23),
    ("gen:gen-1-00", 0x52d605ec804c3fa9, 0x4c1ce343f533b347, 0x8413abb6bad7fbe8, 0x1fb10ec5193628f6),
    ("gen:gen-1-01", 0x421a86bcb49cd443, 0xb6019126a79fef38, 0x2bf7db82cf682999, 0xaad824682ffeac29),
    ("gen:gen-1-02", 0xf804e1b2e1bf07d8, 0xc4ce17a4fc60aecc, 0xfafe2d1604236b8a, 0xbe9fa1692a81ee58),
    ("gen:gen-1-03", 0x9b5035ab00d01641, 0x02718a48f993bfac, 0xa3b49c9bf005c3e6, 0xd4c44d420f23fa67),
    ("gen:gen-1-04", 0x6a9bec2fb8312f03, 0xb508a35da8d095d2, 0x042e568620629bc3, 0x103ba838e1c5b037),
    ("gen:gen-1-05", 0xfc81db323fde0bc4, 0xb0e77e8044ee6b03, 0x0399d283ce135ea5, 0xa18a3ea479e89eaf),
    ("gen:gen-1-06", 0xe6620aabd4a15888, 0x2b4de0b72d30f8fe, 0x7c13cf77b2ce4bfc, 0x8498abb4cc261900),
    ("gen:gen-1-07", 0x8216278bb7808fc8, 0xb92ec8bbd79b7b7c, 0x0d0951d68342fe00, 0xbce5df9ecb735f4d),
    ("gen:gen-1-08", 0xe6162027304b83d7, 0xba6e23f9f99845d2, 0x618822952de62ed0, 0x3b0fc6bd1915cb85),
    ("gen:gen-1-09", 0xe0bb279aa0a7cf8d, 0xdce8969cb8af91fc, 0xeb4b648db351219a, 0x4d720ab09fdbf721),
    ("gen:gen-1-10", 0xb037fae146748098, 0xb00757ca68998bb6, 0xec2aa3794e7939b2, 0xe42e517c3e31e0e9),
    ("gen:gen-1-11", 0x7efed99b25277843, 0x77c54b0da691366b, 0x28924d4ee8dcb394, 0x518dcb19cb4bc3a5),
    ("gen:gen-2-00", 0x9018e61d833d0f84, 0x08526bf47c3d8268, 0x4a2e6e221722829a, 0x442395be453a7b72),
    ("gen:gen-2-01", 0x114cff5ecd327b72, 0x8be406ba48ebb271, 0xdd9102d7e9b2b79e, 0x750c4b3d5f454250),
    ("gen:gen-2-02", 0x820bafac8d2c09b3, 0x98a799808b15340b, 0xbb0f4f14b8a7360a, 0xb2c4a06fedb34919),
    ("gen:gen-2-03", 0x97ef3571686aae1b, 0x9d76788276fe4e65, 0x62df8c963205e8fa, 0x81b5db2f92630d6b),
    ("gen:gen-2-04", 0xaf1c1702a5f5e166, 0xcbc26426669b13c6, 0xcb0842b5baf66796, 0xc2265a5e2099a911),
    ("gen:gen-2-05", 0x29c732775869ef9c, 0xf812d88681867dcd, 0xe75637c53f8f4329, 0x27600fcb1bd0359f),
    ("gen:gen-2-06", 0x3593bd2cc0bec5c3, 0xf5b0f0a188755717, 0xdc2e0a12e9b4bacd, 0x1819b38a7078b6c5),
    ("gen:gen-2-07", 0xd24830e08f536dbf, 0x14307bc544ef5397, 0x24a2e683eb6b2854, 0x35d251817ee0b7f6),
    ("gen:gen-2-08", 0xe54c86ba7def614b, 0x7e629771ddd6c14d, 0xce6941c2ff53c9dd, 0x8c9cfbf38b3e093c),
    ("gen:gen-2-09", 0x592c147a92bb2f93, 0x467b6480c8570fef, 0xa7dad125e35b37ff, 0xf6957098a787895c),
    ("gen:gen-2-10", 0x1b99802ac218e665, 0xb30755544ea5a4cc, 0x71d13b0d6673ba31, 0x3090064d65cc1515),
    ("gen:gen-2-11", 0x347302bc24fcde30, 0xa4d3e4803cada695, 0x5f6c2dcefcc34e3c, 0x36b95ffa6efd5c37),
];
