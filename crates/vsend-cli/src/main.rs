fn main() {
    eprintln!("vsend: not yet");
}
