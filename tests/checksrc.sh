#!/bin/sh
# tests/checksrc.sh [TOP]: the source rules of docs/HACKING.md, checked
# on the tree at TOP (default: $top_srcdir as make check sets it, else the
# tree this script is in).  curl's checksrc is the model: a plain script
# that reads the sources, no build needed.  It prints one line per
# violation, "file:line: rule: message", and exits 1 when there is any.
#
#   layer   An #include of a project header points downward only:
#           cli -> api -> {authz, registry, egress} -> digest -> common.
#           authz, registry and egress never include each other; common
#           includes nothing of the project.  Project headers are named
#           with their folder ("authz/authz_uri.h"); only "config.h" goes
#           without.
#   cycle   No circle of includes between the files of one folder.  A
#           file's unit is its name without .c or .h (authz_mount.c and
#           authz_mount.h are one unit): a unit that includes a header
#           whose unit includes back, directly or through others, is a
#           circle.
#   prefix  Every function or global that X.c defines without `static` is
#           named X or X_... (and not after a longer file name of the same
#           folder, which is where it would belong).  main() in cli/main.c
#           is the one exception.
#   banned  Functions with no bound or no error report, static buffers
#           shared between threads, or a shell between dockward and
#           execve; each message names what to use instead.
#
# Only the source folders are checked; tests/ may do all of the above.
top=${1:-${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}}
if ! command -v perl >/dev/null 2>&1; then
	echo "checksrc: perl is needed" >&2
	exit 99
fi
exec perl -x "$0" "$top"
#!perl
use strict;
use warnings;

my $top = shift;
chdir $top or do { print STDERR "checksrc: cannot enter $top: $!\n"; exit 99 };

# Layers, lowest first; folders of one rank never include each other.
my @layers = (['common'], ['digest'], ['authz', 'registry', 'egress'], ['api'], ['cli']);
my %rank;
for my $i (0 .. $#layers) {
	$rank{$_} = $i for @{$layers[$i]};
}

my %banned = (
	sprintf  => 'snprintf with the buffer size',
	vsprintf => 'vsnprintf with the buffer size',
	strcpy   => 'snprintf, or memcpy with a known length',
	strcat   => 'snprintf at an offset, or memcpy with a known length',
	strncpy  => 'snprintf, or memcpy with a known length (strncpy may leave no NUL)',
	strncat  => 'snprintf at an offset',
	gets     => 'fgets',
	strtok   => 'strtok_r, strsep or strcspn (strtok keeps state between threads)',
	atoi     => 'strtol with an end pointer and errno checked',
	atol     => 'strtol with an end pointer and errno checked',
	atoll    => 'strtoll with an end pointer and errno checked',
	atof     => 'strtod with an end pointer and errno checked',
	tmpnam   => 'mkstemp or mkdtemp (the name can be taken before it is used)',
	tempnam  => 'mkstemp or mkdtemp (the name can be taken before it is used)',
	mktemp   => 'mkstemp or mkdtemp (the name can be taken before it is used)',
	getwd    => 'getcwd with a buffer size',
	alloca   => 'a bounded buffer or malloc (alloca has no failure report)',
	system   => 'fork and execve with an argument vector (no shell parses our strings)',
	popen    => 'pipe, fork and execve with an argument vector (no shell parses our strings)',
	asctime  => 'asctime_r or strftime (static buffer shared between threads)',
	ctime    => 'ctime_r or strftime (static buffer shared between threads)',
	gmtime   => 'gmtime_r (static buffer shared between threads)',
	localtime => 'localtime_r (static buffer shared between threads)',
);
my $banned_re = join('|', sort keys %banned);

my @out;
sub report {
	my ($file, $line, $rule, $msg) = @_;
	push @out, "$file:$line: $rule: $msg";
}

# The text with comments blanked and string/character literals emptied,
# same length and same lines, so offsets and line numbers still hold.
sub blank {
	my ($t, $quote) = @_;
	$t =~ s/[^\n]/ /g;
	if (defined $quote) {
		substr($t, 0, 1) = $quote;
		substr($t, -1, 1) = $quote if length($t) > 1;
	}
	return $t;
}
sub strip {
	my ($s) = @_;
	$s =~ s{(/\*.*?(?:\*/|\z))|(//[^\n]*)|("(?:\\.|[^"\\\n])*"?)|('(?:\\.|[^'\\\n])*'?)}
	    {defined $1 || defined $2 ? blank($&) : blank($&, substr($&, 0, 1))}gse;
	return $s;
}
sub line_of {
	my ($text, $off) = @_;
	return 1 + (substr($text, 0, $off) =~ tr/\n//);
}

# Files of the layer folders, in a stable order.
my @files;
for my $dir (map { @$_ } @layers) {
	next unless -d $dir;
	opendir(my $dh, $dir) or next;
	push @files, map { "$dir/$_" } sort grep { /\.[ch]\z/ && -f "$dir/$_" } readdir $dh;
	closedir $dh;
}

my %stems;		# dir -> { stem -> 1 }, for the prefix rule
for my $f (@files) {
	my ($dir, $stem) = $f =~ m{^([^/]+)/(.*)\.[ch]\z};
	$stems{$dir}{$stem} = 1;
}

my %edge;		# "dir/stem" -> { "dir/stem" -> "file:line" }
my %units;		# every unit seen, for a stable walk

for my $f (@files) {
	open(my $fh, '<', $f) or do { report($f, 0, 'read', "cannot read: $!"); next };
	local $/;
	my $src = <$fh>;
	close $fh;
	my ($dir, $stem, $ext) = $f =~ m{^([^/]+)/(.*)\.([ch])\z};
	my $unit = "$dir/$stem";
	$units{$unit} = 1;
	my $code = strip($src);
	my @lines = split /\n/, $code, -1;
	my @raw = split /\n/, $src, -1;

	# Includes: read from the original line where the stripped one is an
	# #include (so one inside a comment does not count).
	for my $n (0 .. $#lines) {
		next unless $lines[$n] =~ /^\s*#\s*include\b/;
		my ($q, $path) = $raw[$n] =~ /^\s*#\s*include\s*([<"])([^">]+)[">]/ or next;
		my $ln = $n + 1;
		if ($path =~ m{^\.}) {
			report($f, $ln, 'layer', "\"$path\": name a project header from "
			    . "the top of the tree (\"dir/file.h\"), not relative to this file");
			next;
		}
		if ($path !~ m{/}) {
			next if $q eq '<' || $path eq 'config.h';
			report($f, $ln, 'layer', "\"$path\": name a project header with its "
			    . "folder (\"$dir/$path\")");
			next;
		}
		my ($idir) = $path =~ m{^([^/]+)/};
		if (!exists $rank{$idir}) {
			report($f, $ln, 'layer', "includes $path, which is not in a layer "
			    . "folder") if -e $path;
			next;
		}
		if ($idir eq $dir) {
			my ($istem) = $path =~ m{^[^/]+/(.*)\.h\z} or next;
			my $to = "$idir/$istem";
			$units{$to} = 1;
			$edge{$unit}{$to} //= "$f:$ln" if $to ne $unit;
			next;
		}
		next if $rank{$idir} < $rank{$dir};
		if ($rank{$idir} == $rank{$dir}) {
			report($f, $ln, 'layer', "$dir/ includes $path: $dir and $idir "
			    . "are side by side and never include each other");
		} else {
			report($f, $ln, 'layer', "$dir/ includes $path, which is above it "
			    . "(cli -> api -> {authz, registry, egress} -> digest -> common)");
		}
	}

	# Banned calls, outside comments and strings (and not a member
	# named like one: p->system).
	for my $n (0 .. $#lines) {
		while ($lines[$n] =~ /(?<![\w.>])($banned_re)\s*\(/g) {
			next if $lines[$n] =~ /^\s*#\s*include\b/;
			report($f, $n + 1, 'banned', "$1() is banned: use $banned{$1}");
		}
	}

	next unless $ext eq 'c';
	check_defs($f, $dir, $stem, $code);
}

# Definitions at file scope: walk the braces of the code with the
# preprocessor lines blanked; the text before a top-level '{' or ';'
# says what it is.
sub check_defs {
	my ($f, $dir, $stem, $code) = @_;
	# Preprocessor lines (with their continuations) say nothing here.
	$code =~ s{^([ \t]*#(?:[^\n]*\\\n)*[^\n]*)}{blank($1)}gme;
	my ($depth, $start, $after) = (0, 0, '');
	my $pre;	# text before the '{' of the current top-level block
	while ($code =~ /([{};])/g) {
		my ($ch, $pos) = ($1, pos($code) - 1);
		if ($depth > 0) {
			$depth++ if $ch eq '{';
			if ($ch eq '}' && --$depth == 0) {
				# After a function body nothing follows; after an
				# initializer or a type body, declarators may.
				$after = $pre->[2];
				$start = $pos + 1;
			}
			next;
		}
		my $text = substr($code, $start, $pos - $start);
		if ($ch eq '{') {
			# static struct { ... } x[] = { ... }: the storage class
			# came before the type's body.
			my $kind = $after =~ /^type:.*\b(?:static|extern|typedef)\b/s ?
			    'skip' : block_kind($text);
			$after = '';
			if ($kind eq 'function') {
				def_function($f, $dir, $stem, $code, $start, $text);
				$pre = [$text, $start, ''];
			} elsif ($kind eq 'init') {
				def_vars($f, $dir, $stem, $code, $start, $text);
				$pre = [$text, $start, 'skip'];
			} elsif ($kind eq 'type') {
				$pre = [$text, $start, $text =~ /\btypedef\b/ ? 'skip' : "type:$text"];
			} else {
				$pre = [$text, $start, 'skip'];
			}
			$depth = 1;
			next;
		}
		if ($ch eq ';') {
			if ($after eq '') {
				def_vars($f, $dir, $stem, $code, $start, $text);
			} elsif ($after =~ /^type:(.*)/s && $text =~ /\w/) {
				# struct x { ... } var;  (storage class from before the brace)
				def_vars($f, $dir, $stem, $code, $start, "$1 $text")
				    unless $1 =~ /\b(?:static|extern)\b/;
			}
			$after = '';
		}
		$start = $pos + 1;
	}
}

sub no_attr {
	my ($t) = @_;
	my $re;
	$re = qr/\((?:[^()]++|(??{$re}))*\)/;
	$t =~ s/\b__attribute__\s*$re/' ' x length($&)/ge;
	return $t;
}

sub block_kind {
	my ($t) = @_;
	$t = no_attr($t);
	return 'init' if $t =~ /=/;
	return 'type' if $t =~ /^\s*(?:typedef\s+)?(?:(?:static|extern|const|volatile)\s+)*(?:struct|union|enum)\b[^()]*\z/s;
	return 'function' if $t =~ /\w\s*\(/;
	return 'other';
}

sub name_ok {
	my ($f, $dir, $stem, $name) = @_;
	return 1 if $f eq 'cli/main.c' && $name eq 'main';
	return 0 unless $name eq $stem || index($name, "${stem}_") == 0;
	for my $other (keys %{$stems{$dir}}) {
		next unless length($other) > length($stem) && index($other, "${stem}_") == 0;
		return -1 if $name eq $other || index($name, "${other}_") == 0;
	}
	return 1;
}

sub check_name {
	my ($f, $dir, $stem, $code, $off, $name, $what) = @_;
	my $ok = name_ok($f, $dir, $stem, $name);
	return if $ok == 1;
	my $ln = line_of($code, $off);
	if ($ok < 0) {
		report($f, $ln, 'prefix', "$what $name is named after another file of "
		    . "$dir/: define it there, or make it static");
	} else {
		report($f, $ln, 'prefix', "$what $name is not static and not named "
		    . "$stem or ${stem}_...: make it static or rename it");
	}
}

sub def_function {
	my ($f, $dir, $stem, $code, $start, $text) = @_;
	my $t = no_attr($text);
	return if $t =~ /\bstatic\b/;
	$t =~ /(\w+)\s*\(/ or return;
	check_name($f, $dir, $stem, $code, $start + $-[1], $1, 'function');
}

# Declarators of a top-level declaration that defines storage.
sub def_vars {
	my ($f, $dir, $stem, $code, $start, $text) = @_;
	my $t = no_attr($text);
	return unless $t =~ /\w/;
	return if $t =~ /\b(?:static|extern|typedef)\b/;
	return if $t =~ /^\s*(?:struct|union|enum)\s+\w+\s*\z/s;	# forward declaration
	return if $t =~ /^\s*_Static_assert\b/;
	# Cut initializers (they may hold commas and parentheses).
	my $decl = $t;
	$decl =~ s/=.*\z//s if $decl !~ /,/;
	my @names;
	if ($decl =~ /^[^(]*\(\s*\*\s*(\w+)\s*\)/) {	# function pointer
		push @names, [$1, $-[1]];
	} elsif ($decl =~ /\(/) {
		return;					# prototype or macro
	} else {
		# Split on commas outside brackets; the name ends each declarator.
		my ($d, $pos, $seg) = (0, 0, 0);
		my @segs;
		for my $i (0 .. length($decl) - 1) {
			my $c = substr($decl, $i, 1);
			$d++ if $c =~ /[\[(]/;
			$d-- if $c =~ /[\])]/;
			if ($c eq ',' && $d == 0) {
				push @segs, [$seg, $i];
				$seg = $i + 1;
			}
		}
		push @segs, [$seg, length($decl)];
		for my $s (@segs) {
			my $part = substr($decl, $s->[0], $s->[1] - $s->[0]);
			$part =~ s/=.*\z//s;
			if ($part =~ /(\w+)\s*(?:\[[^\]]*\]\s*)*\z/) {
				push @names, [$1, $s->[0] + $-[1]];
			}
		}
	}
	for my $n (@names) {
		check_name($f, $dir, $stem, $code, $start + $n->[1], $n->[0], 'global');
	}
}

# Circles between the units of one folder (Tarjan's strongly connected
# components); one line per circle, at the include that starts it.
my (%index, %low, %on, @stack, @sccs);
my $counter = 0;
sub tarjan {
	my ($v) = @_;
	$index{$v} = $low{$v} = $counter++;
	push @stack, $v;
	$on{$v} = 1;
	for my $w (sort keys %{$edge{$v} // {}}) {
		if (!exists $index{$w}) {
			tarjan($w);
			$low{$v} = $low{$w} if $low{$w} < $low{$v};
		} elsif ($on{$w}) {
			$low{$v} = $index{$w} if $index{$w} < $low{$v};
		}
	}
	if ($low{$v} == $index{$v}) {
		my @c;
		my $w;
		do {
			$w = pop @stack;
			$on{$w} = 0;
			push @c, $w;
		} while ($w ne $v);
		push @sccs, [sort @c] if @c > 1;
	}
}
tarjan($_) for grep { !exists $index{$_} } sort keys %units;

for my $scc (sort { $a->[0] cmp $b->[0] } @sccs) {
	my %in = map { $_ => 1 } @$scc;
	my $first = $scc->[0];
	# Shortest way back to the first unit, inside the component.
	my %prev;
	my @queue = ($first);
	my $found;
	BFS: while (@queue) {
		my $v = shift @queue;
		for my $w (sort keys %{$edge{$v}}) {
			next unless $in{$w};
			if ($w eq $first) {
				$prev{"\0end"} = $v;
				$found = 1;
				last BFS;
			}
			next if exists $prev{$w};
			$prev{$w} = $v;
			push @queue, $w;
		}
	}
	next unless $found;
	my @path = ($first);
	my $v = $prev{"\0end"};
	while ($v ne $first) {
		unshift @path, $v;
		$v = $prev{$v};
	}
	unshift @path, $first;
	my $where = $edge{$path[0]}{$path[1]};
	my $names = join(' -> ', map { (split m{/})[1] } @path);
	my $also = @$scc > @path - 1 ? ' (with ' . join(', ', map { (split m{/})[1] } @$scc)
	    . ' in one circle)' : '';
	push @out, "$where: cycle: $names$also";
}

print "$_\n" for @out;
if (@out) {
	printf STDERR "checksrc: %d violation%s\n", scalar(@out), @out == 1 ? '' : 's';
	exit 1;
}
exit 0;
