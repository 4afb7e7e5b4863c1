/**
 * Passwords that attackers try first: about 1,100 entries from the classic breach-derived lists
 * (RockYou, SplashData yearly lists, SecLists' 10k most common), keyboard walks, names and the usual
 * "word + digits" patterns, plus generated variants (word + "123", season + year, ...). NIST SP 800-63B
 * asks verifiers to refuse such values; the policy also strips digits and symbols around a password
 * before looking up, so "Monkey2024!" is caught through "monkey".
 *
 * Kept as whitespace-separated literals so the list reads (and diffs) like the word lists it comes from.
 */
const LITERAL_LISTS: readonly string[] = [
  // top of the classic breach-derived lists (RockYou, SplashData, SecLists 10k)
  `
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123
football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael
654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm
asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas
hockey ranger daniel starwars klaster 112233 george computer michelle jessica pepper 1111 zxcvbn
555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua cheese amanda
summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder
taylor matrix william corvette hello martin heather secret merlin diamond 1234qwer gfhjkm hammer
silver 222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick internet scooter orange 11111
golfer cookie richard samantha bigdog guitar jackson whatever mickey chicken sparky snoopy maverick
phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea smokey steelers joseph
mercedes dakota arsenal eagles melissa boomer booboo spider nascar monster tigers yellow xxxxxx
123123123 gateway marina diablo bulldog qwer1234 compaq purple hardcore banana junior hannah 123654
porsche lakers iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby 0000 miller
boston q1w2e3r4 brandon yamaha chester mother forever johnny edward 333333 oliver redsox player
nikita knight fender barney midnight please brandy chicago badboy slayer rangers charles angel
flower rabbit wizard jasper enter rachel chris steven winner adidas victoria natasha 1q2w3e4r
jasmine winter prince marine ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro
gandalf asdfasdf crystal 87654321 12344321 golf heaven legend shannon lucky mike dolphin 7777
hello123 qwerty123 1q2w3e password1 password12 password123 password1234 password! 1234561 123456a
123456q a123456 q123456 aa123456 abc12345 123abc abcd1234 1234abcd a1b2c3d4 a1b2c3 qwe123 asd123
zxc123 pass123 pass1234 passw0rd p@ssw0rd p@ssword pa$$word pa55word pa55w0rd passwort motdepasse
contrasena senha wachtwoord lozinka iloveyou1 iloveu loveme lovely welcome1 welcome123 letmein1
letmein123 letmein! monkey123 dragon123 sunshine1 princess1 football1 baseball1 superman1 batman123
starwars1 qwerty1 qwerty12 qwertyui qwertyu qwertyuio 1qaz 1qaz2wsx3edc admin admin1 admin12
admin123 admin1234 administrator adminadmin root toor root123 guest guest123 user user123 login
default changeme changeit temp temp123 temppass temporary secret123 test123 test1234 testing
testtest tester demo demo123 mypassword mypass newpassword password01 oracle mysql postgres
postgresql sql server system manager supervisor support service office company business sysadmin
webmaster operator master123 qwerty1234 1qazxsw2 zaq12wsx zaq1zaq1 zaq1xsw2 xsw2zaq1 !qaz2wsx
1qaz@wsx !qaz@wsx qazwsxedc qazwsxedcrfv 1qaz2wsx3edc4rfv qweasdzxc qweasd asdzxc qazxsw qwerasdf
qwerasdfzxcv asdfqwer poiuytrewq poiuyt lkjhgfdsa mnbvcxz 0987654321 09876543 azerty azertyuiop
qwertz qwertzuiop ytrewq 147852 147852369 369852147 123698745 7894561230 3edc4rfv 2wsx3edc 1234asdf
asdf1234 12qwaszx qwaszx asdfghjkl asdfghj asdfghjk zxcvbnm1 zxcvbnm123 1q2w3e4r5t 1q2w3e4r5t6y
q1w2e3 q1w2e3r4t5y6 1qaz1qaz 1q1q1q1q qwertyqwerty asdasd asdqwe123 qweqwe zxczxc !@#$%^&* !@#$%^
!@#$%^&*() 1234567891 12345678910 0123456789 01234567 9876543210 98765432 147258369 159357 147258
258456 789456 789456123 456789 741852963 963852741 123789 102030 11223344 123456123 112233445566
1212 2222 3333 4444 5555 6666 8888 9999 00000000 1111111 111111111 1111111111 22222222 12341234
1234512345 123654789 1357924680 13579 2468 246810 123456789a 12345qwert 12345a 54321 4321 123
aaaaaaaa abcdef abcdefg abcdefgh abcabc abcd xxxxxxxx zzzzzz 1q2w3e4r5t6y7u8i
`,
  // words and things people pick
  `
iloveyou2 ihateyou loveyou trustme blink182 jordan23 michael1 bond007 agent007 james007 chocolate
cookies butter pizza hotdog bubbles cupcake candy sugar honey muffin biscuit pooh winnie minnie
garfield simpsons homer elvis beatles metallica nirvana slipknot eminem tupac rockstar rocknroll
music dance dancer singer basketball volleyball packers liverpool manchester barcelona realmadrid
juventus honda toyota nissan chevy jeep dodge tiger lion eagle hawk shark wolf bear bears panther
cobra viper donkey horse pony kitten kitty puppy doggy doggie max buddy molly daisy sadie sophie
chloe lightning storm blaze fire golden gold ruby pearl emerald sapphire green blue red black white
pink soldier warrior ninja samurai hero superstar champion victory liberty america canada paris
berlin texas florida california newyork jesus jesus1 christ god godisgood blessed faith hope angels
trinity genesis neo zion private hidden unknown nothing anything something everything always never
lover sexy hottie cutie baby babygirl babyboy queen king kingdom family friends friend happy smile
funny crazy cool awesome super magic mystery passwd passcode passphrase logon signin entry open
opensesame hi goodbye sample example asdf zxcv pokemon minecraft roblox fortnite zelda mario naruto
spiderman ironman startrek frodo hobbit harrypotter hogwarts voldemort butterfly flowers rainbow
sunflower spring autumn fall windows microsoft apple google facebook linkedin twitter yahoo hotmail
gmail outlook amazon netflix spotify github gitlab docker kubernetes jenkins ubuntu linux debian
redhat centos vmware cisco security compliance attest trustcenter trust cheyenne rosebud hunter2
hunter1 superman123 whatever1 sunshine123 princess123 football123 baseball123 soccer123 charlie123
michael123 jordan123 shadow123 master1 access14 thx1138 mustang1 internet1 computer1 letmein12
monkey1 dragon1 shadow1 master12 michelle1 jessica1 ashley1 qazwsx123 freedom1 maggie1 ginger1
tigger1 hockey1 chelsea1 liverpool1 arsenal1 matrix1 merlin1 silver1 killer1 hunter123 ranger1
sparky1 snoopy1 scooter1 cookie1 orange1 pepper1 summer1 winter1 spring1 autumn1 november december
january february march april may june july august september october monday tuesday wednesday
thursday friday saturday sunday weekend holiday vacation christmas easter halloween birthday
`,
  // first names, the commonest bases of "name + digits"
  `
david john mark paul kevin brian ronald timothy jason jeffrey ryan jacob gary nicholas eric jonathan
stephen larry scott benjamin samuel frank gregory raymond alexander jack dennis jerry tyler aaron
jose henry adam douglas nathan peter zachary kyle walter harold jeremy ethan carl keith roger gerald
christian terry sean arthur noah lawrence jesse joe bryan billy albert dylan bruce willie gabriel
alan juan logan wayne ralph roy eugene randy vincent russell louis philip bobby bradley christopher
mary patricia linda barbara elizabeth susan sarah karen nancy lisa betty margaret sandra kimberly
emily donna dorothy carol deborah stephanie rebecca sharon laura cynthia kathleen amy shirley angela
helen anna brenda pamela emma katherine christine debra catherine carolyn janet ruth maria diane
virginia julie joyce olivia kelly christina lauren joan evelyn judith megan cheryl martha jacqueline
frances gloria ann teresa kathryn sara janice jean alice madison doris abigail julia judy grace
denise amber marilyn beverly danielle theresa sophia marie diana brittany natalie isabella charlotte
rose alexis kayla alex sam max123 tom tommy ben danny jimmy johnny1 andy tony eddie lucas leo liam
mason elijah oscar hugo felix anton sasha dima maxim ivan olga tanya natasha1 svetlana
`,
  // more common picks from the 10k lists
  `
jordan1 hello1 football12 charlie1 andrew1 daniel1 robert1 thomas1 george1 joshua1 matthew1 william1
anthony1 justin1 jennifer1 amanda1 nicole1 hannah1 ncc1701d ncc1701e 12345six 1a2b3c 1a2b3c4d
abc123456 abcdef123 asdf123 qwe123456 qwert qwert123 qwerty12345 qwertyu1 zxcvb zxcvbn123 1234zxcv
123456789q 123qweasd 123qweasdzxc 1qa2ws3ed qazwsx12 1234567q 12345q qwertyuiop123 asdfghjkl123
abcdefghij abcdefghijk abcdefghijkl 1234567890a aaaaa aaaa aaa111 abc111 a12345 a1234567 a12345678
pass12 pass1 password2 password3 password7 password11 password13 password69 password99 passpass
passw0rd1 p@ssw0rd1 p@$$w0rd p@55w0rd pa$$w0rd passw0rd! p4ssw0rd p4ssword welcome! welcome01
welcome2 w3lc0me letmeinnow letmein2 l3tm31n iloveyou! 1loveyou il0veyou trustno1! changeme1
changeme123 changeme! default1 default123 secret1 secret! s3cr3t s3cret access123 access1 login123
login1 admin! admin@123 adm1n p@ssword1 passwordpassword password12345 123password 1password
mypassword1 newpass newpass123 oldpassword qwerty! qwerty!@# 1qaz!qaz 123456! 123456789! 12345678!
1234567890! 123123! 111111! 000000! zaq!2wsx zaq1@wsx 1qaz2wsx! 1q2w3e4r! 1q2w3e! q1w2e3r4!
qwertyuiop! baseball! football! monkey! dragon! shadow! master! sunshine! princess! superman!
batman! starwars! iloveyou123 loveyou1 love123 love1234 lovelove asshole fuckyou fuckoff bitch shit
`,
];

/** Suffixes people append to satisfy composition rules or rotation (a year, a "1", a "!"). */
const SUFFIXES = ['1', '123', '!', '1!', '2024', '2025', '2026'];
const SEASONS = ['spring', 'summer', 'autumn', 'fall', 'winter'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
/** Corporate defaults ("Welcome@2024", "Company#1") common in help-desk resets. */
const CORPORATE_BASES = [
  'welcome',
  'password',
  'company',
  'admin',
  'changeme',
  'letmein',
  'qwerty',
  ...SEASONS,
];
const CORPORATE_SUFFIXES = ['@1', '@12', '@123', '@1234', '#1', '#123', '@2024', '@2025', '@2026'];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

function buildCommonPasswords(): Set<string> {
  const literals = LITERAL_LISTS.flatMap((list) => list.split(/\s+/)).filter((entry) => entry.length > 0);
  const entries = new Set(literals.map((entry) => entry.toLowerCase()));

  for (const base of literals) {
    if (!/^[a-z]{4,}$/.test(base)) continue;
    for (const suffix of SUFFIXES) entries.add(`${base}${suffix}`);
  }
  for (const year of range(1950, 2030)) entries.add(String(year));
  for (const season of SEASONS) {
    for (const year of range(2010, 2030)) {
      entries.add(`${season}${year}`);
      entries.add(`${season}${year}!`);
      entries.add(`${season}@${year}`);
    }
  }
  for (const month of MONTHS) {
    for (const year of range(2020, 2030)) entries.add(`${month}${year}`);
  }
  for (const base of CORPORATE_BASES) {
    for (const suffix of CORPORATE_SUFFIXES) entries.add(`${base}${suffix}`);
  }
  return entries;
}

/** Lowercase. Look up with `candidate.toLowerCase()`. */
export const COMMON_PASSWORDS: ReadonlySet<string> = buildCommonPasswords();
